import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelFromDir, saveModelToDir } from '../fs-io';
import { batchNormBatchSizeWarning, SeedBatchNorm } from './seed-batch-norm';

await tf.setBackend('cpu');

function bnModel(shape: number[], momentum: number, trainable = true): { model: tf.LayersModel; bn: SeedBatchNorm } {
  const input = tf.input({ shape });
  const bn = new SeedBatchNorm({ momentum, epsilon: 1e-5, name: 'bn', trainable });
  const model = tf.model({ inputs: input, outputs: bn.apply(input) as tf.SymbolicTensor });
  return { model, bn };
}

const weight = (model: tf.LayersModel, name: string): number[] =>
  Array.from(model.getLayer('bn').weights.find((w) => w.originalName.endsWith(name))!.read().dataSync());

describe('SeedBatchNorm (docs/CONCEPTS.md#batch-normalization)', () => {
  const x = tf.tensor2d([
    [1, 10],
    [3, 14],
    [5, 18],
  ]);

  it('training mode normalizes with the batch statistics of each feature', () => {
    const { model } = bnModel([2], 0.5);
    const y = (model.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][];
    // feature 0: μ = 3, σ² = 8/3 ; feature 1: μ = 14, σ² = 32/3
    expect(y[0]![0]).toBeCloseTo(-2 / Math.sqrt(8 / 3 + 1e-5), 4);
    expect(y[2]![1]).toBeCloseTo(4 / Math.sqrt(32 / 3 + 1e-5), 4);
    const col0 = y.map((r) => r[0]!);
    expect(col0.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 5);
  });

  it('running statistics use momentum α and the unbiased variance m/(m−1)·σ²_B', () => {
    const { model } = bnModel([2], 0.5);
    model.apply(x, { training: true });
    // μ ← 0.5·0 + 0.5·[3, 14] ; σ² ← 0.5·1 + 0.5·(3/2)·[8/3, 32/3]
    expect(weight(model, 'moving_mean')[0]).toBeCloseTo(1.5, 5);
    expect(weight(model, 'moving_mean')[1]).toBeCloseTo(7, 5);
    expect(weight(model, 'moving_variance')[0]).toBeCloseTo(0.5 + 0.75 * (8 / 3), 4);
    expect(weight(model, 'moving_variance')[1]).toBeCloseTo(0.5 + 0.75 * (32 / 3), 4);
  });

  it('inference mode uses the running statistics, so train and test outputs differ', () => {
    const { model } = bnModel([2], 0.5);
    const train = (model.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][];
    const infer = (model.predict(x) as tf.Tensor).arraySync() as number[][];
    expect(infer[0]![0]).toBeCloseTo((1 - 1.5) / Math.sqrt(0.5 + 2 + 1e-5), 4);
    expect(infer[0]![0]).not.toBeCloseTo(train[0]![0]!, 2);
    // inference does not touch the running statistics
    model.predict(x);
    expect(weight(model, 'moving_mean')[0]).toBeCloseTo(1.5, 5);
  });

  it('convolutions are normalized per channel over batch × height × width (m = N·H·W)', () => {
    const { model } = bnModel([2, 2, 2], 0); // α = 0: running stats = this batch's
    const values = tf.randomUniform([2, 2, 2, 2], 0, 10, 'float32', 7);
    model.apply(values, { training: true });
    const data = values.arraySync() as number[][][][];
    for (const ch of [0, 1]) {
      const xs = data.flatMap((img) => img.flatMap((row) => row.map((px) => px[ch]!)));
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const biased = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
      expect(weight(model, 'moving_mean')[ch]).toBeCloseTo(mean, 4);
      expect(weight(model, 'moving_variance')[ch]).toBeCloseTo((biased * 8) / 7, 3);
    }
  });

  it('a frozen layer stays in inference mode even during training', () => {
    const { model } = bnModel([2], 0.5, false);
    const y = (model.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][];
    expect(y[0]![0]).toBeCloseTo(1 / Math.sqrt(1 + 1e-5), 4); // initial μ = 0, σ² = 1
    expect(weight(model, 'moving_mean')[0]).toBe(0);
  });

  it('γ and β scale and shift the normalized output and are the only trainable weights', () => {
    const { model, bn } = bnModel([2], 0.5);
    expect(bn.trainableWeights.map((w) => w.originalName.split('/').pop())).toEqual(['gamma', 'beta']);
    model.setWeights([tf.tensor1d([2, 2]), tf.tensor1d([1, 1]), tf.tensor1d([0, 0]), tf.tensor1d([1, 1])]);
    const y = (model.predict(tf.tensor2d([[1, 0]])) as tf.Tensor).dataSync();
    expect(y[0]).toBeCloseTo(2 * (1 / Math.sqrt(1 + 1e-5)) + 1, 4);
  });

  it('warns about batch size 1 only when the model has batch norm', () => {
    const { model } = bnModel([2], 0.9);
    expect(batchNormBatchSizeWarning(model, 1)).toMatch(/Batch size 1/);
    expect(batchNormBatchSizeWarning(model, 8)).toBeNull();
    const input = tf.input({ shape: [2] });
    const plain = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor });
    expect(batchNormBatchSizeWarning(plain, 1)).toBeNull();
  });

  it('saves under its own class name and loads back with the same behaviour', async () => {
    const { model } = bnModel([2], 0.8);
    model.apply(x, { training: true });
    const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'bn-')), 'model');
    await saveModelToDir(model, dir);
    expect(readFileSync(path.join(dir, 'model.json'), 'utf8')).toContain('"class_name":"SeedBatchNorm"');
    const loaded = await loadModelFromDir(dir);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    expect((loaded.getLayer('bn') as SeedBatchNorm).momentum).toBe(0.8);
  });
});
