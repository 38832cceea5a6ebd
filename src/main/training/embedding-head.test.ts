/**
 * Training a transfer head on cached embeddings, made cheaper (its gradient written out, no gradient for the
 * embeddings, validation in one forward pass instead of predict), learns exactly what the head learned before: the
 * same per-epoch losses, accuracies and validation losses, and the same weights, as the unchanged head trained by
 * the same loop with tfjs's recorded gradient and the old validation (predict). On tfjs's reference CPU backend and
 * on the backend the lab picks (oneDNN when built).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EpochLog } from '../../shared/dto';
import { initBackend } from '../engine';
import type { ImageArray } from '../datasets/image-array';
import { denseHead, type DenseSpec } from '../models/scratch-models';
import { skipEmbeddingGradient } from './embedding-head';
import { DenseHeadStep } from './embedding-head-step';
import { EmbeddingBatches, headProbabilities } from './embedding-training';
import { lossAndAccuracy } from './evaluate';
import { seeded } from '../engine/test-util';
import { seedSource } from './seeded-random';
import { parseTrainConfig } from './train-config';
import { trainRun } from './trainer';
import { TrainStep } from './train-step';

const DIM = 40;
const C = 3;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type HeadSpec = { headDropout: number; dense: DenseSpec[] };
const TM_HEAD: HeadSpec = { headDropout: 0.2, dense: [{ units: 12, batchNorm: false, activation: 'relu', dropout: 0 }] };
const DEEPER: HeadSpec = { headDropout: 0, dense: [{ units: 12, batchNorm: false, activation: 'relu', dropout: 0.25 }, { units: 7, batchNorm: false, activation: 'relu', dropout: 0 }] };

/** A head as transfer-model.ts puts it on the embeddings: dropout, Dense layers, the classifier. */
function makeHead(spec: HeadSpec = TM_HEAD): tf.LayersModel {
  const input = tf.input({ shape: [DIM], name: 'embedding' });
  const x = spec.headDropout > 0 ? (tf.layers.dropout({ rate: spec.headDropout, name: 'head_drop' }).apply(input) as tf.SymbolicTensor) : input;
  return tf.model({ inputs: input, outputs: denseHead(x, spec.dense, C, 'head', seedSource(7)) });
}

/** n non-negative embeddings (as after a ReLU and pooling) whose class shifts a few of their values; unequal classes. */
function embeddings(n: number, seed: number): { x: Float32Array; labels: ImageArray } {
  const rand = seeded(seed);
  const x = new Float32Array(n * DIM);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 5 === 4 ? 2 : i % 2;
    for (let j = 0; j < DIM; j++) x[i * DIM + j] = Math.max(0, rand() * 2 - 1 + (j % C === y[i] ? 0.8 : 0));
  }
  return { x, labels: { x: new Uint8Array(0), y, n, size: 8, channels: 3, classes: ['a', 'b', 'c'] } as unknown as ImageArray };
}

const train = embeddings(52, 1);
const val = embeddings(17, 2);

const config = (over: Record<string, unknown> = {}) =>
  parseTrainConfig({ datasetId: 'd', input: { size: 8, channels: 3 }, model: { kind: 'transfer' }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 4, batchSize: 8, earlyStopping: { enabled: false }, ...over });

/**
 * Trains a fresh head for the config's epochs. 'before': the head as it was trained before (tfjs's recorded
 * gradient, validation by predict); 'recorded': the recorded gradient without the embeddings' gradient (the path
 * of heads DenseHeadStep does not take); 'written': what trainRun now does for a plain head.
 */
async function fit(cfg: ReturnType<typeof config>, mode: 'before' | 'recorded' | 'written', spec: HeadSpec = TM_HEAD): Promise<{ epochs: EpochLog[]; weights: Float32Array[] }> {
  const head = makeHead(spec);
  if (mode === 'recorded') expect(skipEmbeddingGradient(head)).toBe(true);
  if (mode === 'written') expect(DenseHeadStep.for(head, cfg)).not.toBeNull();
  const validate = mode !== 'before'
    ? async (m: tf.LayersModel) => lossAndAccuracy(await headProbabilities(m, val.x, val.labels.n, DIM), val.labels.y, C)
    : async (m: tf.LayersModel) => {
        const p = m.predict(tf.tensor2d(val.x, [val.labels.n, DIM])) as tf.Tensor;
        return lossAndAccuracy((await p.data()) as Float32Array, val.labels.y, C);
      };
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'emb-head-'));
  dirs.push(runDir);
  const epochs: EpochLog[] = [];
  const result = await trainRun({
    config: cfg, train: train.labels, val: val.labels, runDir, model: head, source: new EmbeddingBatches(train.x, DIM, train.labels, cfg), validate,
    recordedGradient: mode !== 'written',
    hooks: { onBatch: () => {}, onLog: () => {}, onEpoch: (e) => epochs.push(e) },
  });
  const weights = result.model.getWeights().map((w) => w.dataSync() as Float32Array);
  result.model.dispose();
  return { epochs, weights };
}

async function expectSameTraining(cfg: ReturnType<typeof config>, mode: 'recorded' | 'written', spec: HeadSpec = TM_HEAD): Promise<void> {
  const before = await fit(cfg, 'before', spec);
  const after = await fit(cfg, mode, spec);
  expect(after.epochs).toHaveLength(cfg.epochs);
  after.epochs.forEach((e, i) => {
    const b = before.epochs[i]!;
    expect(Math.abs(e.loss - b.loss)).toBeLessThan(1e-5);
    expect(Math.abs(e.accuracy - b.accuracy)).toBeLessThan(1e-5);
    expect(Math.abs(e.valLoss! - b.valLoss!)).toBeLessThan(1e-5);
    expect(Math.abs(e.valAccuracy! - b.valAccuracy!)).toBeLessThan(1e-5);
  });
  // It learned something (the comparison is not between two untrained heads).
  expect(after.epochs[cfg.epochs - 1]!.loss).toBeLessThan(after.epochs[0]!.loss);
  after.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - before.weights[i]![j]!)).toBeLessThan(1e-5)));
}

/** The matrix products one training step runs, as output shapes. */
async function stepProducts(mode: 'before' | 'recorded' | 'written'): Promise<number[][]> {
  const head = makeHead();
  if (mode === 'recorded') skipEmbeddingGradient(head);
  const step = (mode === 'written' ? DenseHeadStep.for(head, config()) : null) ?? new TrainStep(head, config());
  const x = tf.tensor2d(train.x.subarray(0, 8 * DIM), [8, DIM]);
  const y = tf.oneHot(tf.tensor1d(train.labels.y.subarray(0, 8), 'int32'), C).toFloat();
  const info = await tf.profile(async () => {
    await step.run(x, y, 0.01, 1);
  });
  tf.dispose([x, y]);
  step.optimizer.dispose();
  step.dispose();
  head.dispose();
  return info.kernels.filter((k) => k.name.includes('MatMul')).map((k) => k.outputShapes[0] as number[]);
}

for (const backend of ['cpu', 'lab']) {
  describe(`head on cached embeddings (${backend} backend)`, () => {
    beforeAll(async () => {
      if (backend === 'cpu') await tf.setBackend('cpu');
      else await initBackend();
    });

    it('trains to the same per-epoch losses and weights as before (Adam and SGD, input dropout)', async () => {
      await expectSameTraining(config(), 'written');
      await expectSameTraining(config(), 'recorded');
      // Plain SGD too: Adam's update hardly moves when every gradient is off by the same factor.
      await expectSameTraining(config({ optimizer: { name: 'sgd', lr: 0.1 } }), 'written');
    });

    it('the same for a deeper head with inner dropout, class weights, L2 decay, clipping and uneven batches', async () => {
      const cfg = config({ batchSize: 6, balance: 'class-weights', weightDecay: { kind: 'l2', value: 1e-3 }, clipNorm: 1, optimizer: { name: 'momentum', lr: 0.05 } });
      await expectSameTraining(cfg, 'written', DEEPER);
    });

    it('does not compute a gradient for the embeddings', async () => {
      const before = await stepProducts('before');
      // A batch × embedding-size product ([8, DIM], or [1, 8, DIM] as a batched product) is the embeddings' gradient.
      const embeddingGradient = (s: number[]) => s.slice(-2).join() === `8,${DIM}`;
      expect(before.some(embeddingGradient)).toBe(true);
      for (const mode of ['recorded', 'written'] as const) {
        const after = await stepProducts(mode);
        expect(after.some(embeddingGradient)).toBe(false);
        // The kernel's gradient is still computed (a [DIM, 12] product).
        expect(after.some((s) => s.slice(-2).join() === `${DIM},12`)).toBe(true);
      }
    });

    it('leaves heads it does not know (batch norm) to the recorded gradient', () => {
      const head = makeHead({ headDropout: 0, dense: [{ units: 6, batchNorm: true, activation: 'relu', dropout: 0 }] });
      expect(DenseHeadStep.for(head, config())).toBeNull();
      expect(DenseHeadStep.for(makeHead(), config())).not.toBeNull();
    });
  });
}
