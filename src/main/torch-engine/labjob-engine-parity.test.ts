/**
 * The same experiment on the lab's engine (trainRun, tfjs) and as a labjob run: same initial weights, same batches,
 * same dropout masks, same augmentation, same optimizer rule and schedule, same batch norm. Every batch loss and every
 * epoch's validation loss agree closely; what remains is float32 rounding in different kernels (tfjs vs torch
 * convolutions and reductions) compounding over the steps: 1e-4 relative allowed, about 2e-7 observed.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BatchLog, EpochLog } from '../../shared/dto';
import { createBatchAugmenter } from '../augment/batch-path';
import { channelMean } from '../augment/dataset-mean';
import { buildModel } from '../models';
import { syntheticImages } from '../training/synthetic-data';
import { parseTrainConfig } from '../training/train-config';
import { trainRun } from '../training/trainer';
import { hasTorch, labLines, runLabjob, writeJobFolder } from './test-support/labjob-fixture';

await tf.setBackend('cpu');

const root = mkdtempSync(path.join(tmpdir(), 'labjob-engine-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!hasTorch())('one experiment, two engines', () => {
  it('the lab engine and labjob follow the same batch losses and validation curve', async () => {
    const config = parseTrainConfig({
      datasetId: 'engines',
      input: { size: 8, channels: 1, fit: 'squash' },
      model: { kind: 'cnn', blocks: [{ filters: 4 }, { filters: 6, dropout: 0.2 }], headDropout: 0.3, dense: [{ units: 8, batchNorm: true, dropout: 0.2 }] },
      optimizer: { name: 'rmsprop', lr: 0.005 },
      schedule: { kind: 'step', gamma: 0.5, stepEpochs: 1, warmupEpochs: 0.5 },
      augmentation: { preset: 'light', erasing: { enabled: true, p: 0.5 } },
      weightDecay: { kind: 'decoupled', value: 0.01 },
      epochs: 3,
      batchSize: 8,
      seed: 5,
    });
    const train = syntheticImages({ n: 44, seed: 1, classes: 3 });
    const val = syntheticImages({ n: 16, seed: 2, classes: 3 });
    const batches: BatchLog[] = [];
    const epochs: EpochLog[] = [];
    const augmenter = createBatchAugmenter(config.augmentation, config.input, config.seed, { mean: channelMean(train) })!;
    await trainRun({ config, train, val, augmenter, runDir: path.join(root, 'lab'), hooks: { onBatch: (b) => batches.push(b), onEpoch: (e) => epochs.push(e), onLog: () => {} } });

    const model = await buildModel(config, 3);
    const dir = await writeJobFolder(path.join(root, 'job'), { config, classes: train.classes, model, train, val });
    const r = runLabjob(dir, ['run', '--job', dir, '--fresh']);
    expect(r.status, r.stderr).toBe(0);
    const lines = labLines(r.stdout);
    const torchBatches = lines.filter((l) => l.kind === 'batch');
    const torchEpochs = lines.filter((l) => l.kind === 'epoch');

    expect(torchBatches.map((b) => [b.epoch, b.batch, b.batchesPerEpoch])).toEqual(batches.map((b) => [b.epoch, b.batch, b.batchesPerEpoch]));
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
    batches.forEach((b, i) => {
      expect(torchBatches[i]!.lr as number).toBeCloseTo(b.lr, 12);
      expect(rel(torchBatches[i]!.loss as number, b.loss), `batch ${i}`).toBeLessThan(1e-4);
    });
    epochs.forEach((e, i) => expect(rel(torchEpochs[i]!.valLoss as number, e.valLoss!), `epoch ${i + 1}`).toBeLessThan(1e-4));
    const worst = Math.max(...batches.map((b, i) => rel(torchBatches[i]!.loss as number, b.loss)));
    console.info(`lab engine vs labjob: largest batch-loss difference ${worst.toExponential(2)} (relative)`);
    // The curve moves (a comparison of two flat lines would prove little).
    expect(Math.abs(batches[0]!.loss - batches.at(-1)!.loss)).toBeGreaterThan(0.05);
  });
});
