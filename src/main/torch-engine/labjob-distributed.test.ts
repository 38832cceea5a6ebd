/**
 * Two DistributedDataParallel ranks (gloo on loopback, launched by `labjob launch`) end with identical weights, and
 * follow the curve of one process with the same global batch. Why the tolerance is tiny (1e-5 relative): both runs see
 * the same batches, the same dropout masks and the same batch-norm statistics (over the whole global batch); only the
 * order of float32 sums differs (per-rank partial sums of the gradients and of the BN statistics, then all-reduce).
 * The weights written back in tfjs format predict, in tfjs, what the torch model predicts within 1e-4.
 */
import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrainConfigInput } from '../../shared/config';
import { buildModel, loadModelFromDir } from '../models';
import { parseTrainConfig } from '../training/train-config';
import { hasTorch, labLines, randomImages, readF32, runLabjob, tfjsProbabilities, writeJobFolder, type LabLine } from './test-support/labjob-fixture';

await tf.setBackend('cpu');

const root = mkdtempSync(path.join(tmpdir(), 'labjob-ddp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(b));

async function oneAndTwo(name: string, input: TrainConfigInput, nTrain: number) {
  const config = parseTrainConfig(input);
  const { size, channels } = config.input;
  const model = await buildModel(config, 3);
  const val = randomImages(20, size, channels, 3, 99);
  const one = await writeJobFolder(path.join(root, `${name}-1`), { config, classes: ['a', 'b', 'c'], model, train: randomImages(nTrain, size, channels, 3, 5), val });
  const two = path.join(root, `${name}-2`);
  cpSync(one, two, { recursive: true });
  const r1 = runLabjob(one, ['run', '--job', one, '--fresh']);
  expect(r1.status, r1.stderr).toBe(0);
  const r2 = runLabjob(two, ['launch', '--nproc', '2', '--', 'run', '--job', two, '--fresh']);
  expect(r2.status, r2.stderr).toBe(0);
  return { one, two, l1: labLines(r1.stdout), l2: labLines(r2.stdout), val, size, channels };
}

function expectSameCurve(l1: LabLine[], l2: LabLine[]) {
  const of = (l: LabLine[], kind: string) => l.filter((e) => e.kind === kind);
  expect(of(l2, 'started')[0]!.worldSize).toBe(2);
  const [b1, b2] = [of(l1, 'batch'), of(l2, 'batch')];
  expect(b2.map((b) => [b.epoch, b.batch])).toEqual(b1.map((b) => [b.epoch, b.batch]));
  b1.forEach((b, i) => expect(close(b2[i]!.loss as number, b.loss as number, 1e-5), `batch ${i}: ${String(b2[i]!.loss)} vs ${String(b.loss)}`).toBe(true));
  const [e1, e2] = [of(l1, 'epoch'), of(l2, 'epoch')];
  expect(e2.length).toBe(e1.length);
  e1.forEach((e, i) => {
    for (const k of ['loss', 'valLoss'] as const) expect(close(e2[i]![k] as number, e[k] as number, 1e-5), `epoch ${i + 1} ${k}`).toBe(true);
    expect(Math.abs((e2[i]!.valAccuracy as number) - (e.valAccuracy as number))).toBeLessThanOrEqual(1 / 20 + 1e-9);
  });
  // The loss actually moved: a run that did not train would match itself trivially.
  expect(Math.abs((e1[0]!.loss as number) - (e1.at(-1)!.loss as number))).toBeGreaterThan(1e-3);
}

describe.skipIf(!hasTorch())('labjob on 2 gloo ranks', () => {
  it('cnn with batch norm and dropout: identical weights on both ranks, the 1-process curve, and weights tfjs reads back', async () => {
    const input: TrainConfigInput = {
      datasetId: 'ddp',
      input: { size: 8, channels: 1, fit: 'squash' },
      model: { kind: 'cnn', blocks: [{ filters: 4, dropout: 0.1 }, { filters: 6 }], headDropout: 0.5, dense: [{ units: 8, batchNorm: true, dropout: 0.3 }] },
      optimizer: { name: 'adam', lr: 0.01 },
      weightDecay: { kind: 'l2', value: 1e-4 },
      schedule: { kind: 'cosine', warmupEpochs: 1 },
      clipNorm: 2,
      epochs: 3,
      batchSize: 16,
      seed: 7,
    };
    // 70 images: four batches of 16 and a last one of 6 (3 per rank)
    const { one, two, l1, l2, val, size, channels } = await oneAndTwo('cnn', input, 70);
    const sha = (d: string, k: number) => readFileSync(path.join(d, 'out', `weights-sha256-rank${k}.txt`), 'utf8').trim();
    expect(sha(two, 0)).toMatch(/^[0-9a-f]{64}$/);
    expect(sha(two, 1)).toBe(sha(two, 0));
    expectSameCurve(l1, l2);

    // Converted back: tfjs loads out/ and predicts what labjob's torch model predicts.
    const back = await loadModelFromDir(path.join(one, 'out'));
    const tfProbs = tfjsProbabilities(back, val, size, channels);
    const file = path.join(one, 'probs.f32');
    const p = runLabjob(one, ['predict', '--job', one, '--model', path.join(one, 'out'), '--split', 'val', '--out', file]);
    expect(p.status, p.stderr).toBe(0);
    const torchProbs = readF32(file);
    expect(Math.max(...tfProbs.map((v, i) => Math.abs(v - torchProbs[i]!)))).toBeLessThan(1e-4);
    const history = JSON.parse(readFileSync(path.join(one, 'out', 'history.json'), 'utf8')) as unknown[];
    expect(history).toHaveLength(3);
  });

  it('mlp with class weights: a last global batch of one image leaves one rank empty, and the curves still match', async () => {
    const input: TrainConfigInput = {
      datasetId: 'ddp',
      input: { size: 8, channels: 1, fit: 'squash' },
      model: { kind: 'mlp', hidden: [{ units: 12, dropout: 0.2 }] },
      optimizer: { name: 'momentum', lr: 0.05 },
      balance: 'class-weights',
      earlyStopping: { enabled: true, monitor: 'val_accuracy', patience: 1 },
      epochs: 3,
      batchSize: 16,
      seed: 3,
    };
    const { two, l1, l2 } = await oneAndTwo('mlp', input, 65);
    expect(readFileSync(path.join(two, 'out', 'weights-sha256-rank1.txt'), 'utf8')).toBe(readFileSync(path.join(two, 'out', 'weights-sha256-rank0.txt'), 'utf8'));
    expect(l1.filter((e) => e.kind === 'batch' && e.batch === 5).length).toBeGreaterThan(0);
    expectSameCurve(l1, l2);
    const done = (l: LabLine[]) => l.find((e) => e.kind === 'done')!;
    expect(done(l2).bestEpoch).toBe(done(l1).bestEpoch);
    expect(done(l2).stoppedEarly).toBe(done(l1).stoppedEarly);
  });
});
