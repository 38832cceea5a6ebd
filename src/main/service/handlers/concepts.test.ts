import { describe, expect, it } from 'vitest';
import { labCalls, type LabArgs } from '../../../shared/contract';
import type { Workspace } from '../../workspace';
import { conceptsHandlers } from './concepts';

// These calls never touch the workspace.
const handlers = conceptsHandlers({ ws: {} as Workspace, emit: () => undefined, shell: 'cli', version: 'test' });
const dropout = (req: LabArgs<'concepts.dropout'>[0]) => handlers['concepts.dropout'](labCalls['concepts.dropout'].parse([req])[0]);
const batchNorm = (req: LabArgs<'concepts.batchNorm'>[0]) => handlers['concepts.batchNorm'](labCalls['concepts.batchNorm'].parse([req])[0]);

const colMean = (rows: number[][], j: number) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length;
const colVar = (rows: number[][], j: number) => {
  const m = colMean(rows, j);
  return rows.reduce((s, r) => s + (r[j]! - m) ** 2, 0) / rows.length;
};

describe('concepts.dropout (tfjs Dropout on a tiny dense layer)', () => {
  it('training mode zeroes about p of the active units and scales survivors by 1/(1−p); inference is the identity', async () => {
    const p = 0.4;
    const d = await dropout({ p, units: 256, seed: 11 });
    expect(d.inference).toHaveLength(256);
    const active = d.inference.filter((v) => v > 0).length;
    expect(active).toBeGreaterThan(100);
    expect(Math.abs(d.droppedFraction - p)).toBeLessThan(0.1);
    d.training.forEach((t, i) => {
      if (t !== 0) expect(t).toBeCloseTo(d.inference[i]! / (1 - p), 4);
    });
    expect(d.training.some((t, i) => t === 0 && d.inference[i]! > 0)).toBe(true);
  });

  it('inverted dropout keeps the expected activation: training mean ≈ inference mean', async () => {
    const d = await dropout({ p: 0.5, units: 256, seed: 3, trials: 1000 });
    expect(d.meanInference).toBeGreaterThan(0);
    // one mask: the unit mean of a·mask/(1−p) has standard error √(p/(1−p)·mean(a²)/n); allow 3 of them
    const n = d.inference.length;
    const se = Math.sqrt((0.5 / 0.5) * (d.inference.reduce((s, a) => s + a * a, 0) / n) / n);
    expect(Math.abs(d.meanTraining - d.meanInference)).toBeLessThan(3 * se);
    expect(d.meanTraining).not.toBeCloseTo(d.meanInference / 2, 2); // not the un-scaled (original) dropout
    const avg = d.trainingAverage.reduce((s, a) => s + a, 0) / n;
    expect(Math.abs(avg - d.meanInference)).toBeLessThan(3 * se / Math.sqrt(1000) + 1e-6);
    // per unit, averaged over 1000 masks the training output approaches the inference output
    d.trainingAverage.forEach((a, i) => expect(Math.abs(a - d.inference[i]!)).toBeLessThan(0.15 * d.inference[i]! + 1e-6));
  });

  it('p = 0 changes nothing; the same seed gives the same mask', async () => {
    const d0 = await dropout({ p: 0, units: 16, seed: 5 });
    expect(d0.training).toEqual(d0.inference);
    const a = await dropout({ p: 0.5, units: 32, seed: 8 });
    const b = await dropout({ p: 0.5, units: 32, seed: 8 });
    expect(a.training).toEqual(b.training);
    const c = await dropout({ p: 0.5, units: 32, seed: 8, maskSeed: 100 });
    expect(c.inference).toEqual(a.inference); // same layer, new mask
    expect(c.training).not.toEqual(a.training);
  });

  it('rejects a drop probability of 1', () => {
    expect(labCalls['concepts.dropout'].safeParse([{ p: 1, units: 8, seed: 1 }]).success).toBe(false);
  });
});

describe('concepts.batchNorm (the engine’s SeedBatchNorm)', () => {
  it('training mode normalises each feature with the batch statistics: mean ≈ 0, variance ≈ 1', async () => {
    const d = await batchNorm({ batchSize: 64, features: 4, seed: 2, shift: 5, scale: 3, momentum: 0.9, steps: 20 });
    expect(d.warning).toBeNull();
    for (let j = 0; j < 4; j++) {
      expect(Math.abs(colMean(d.before, j) - 5)).toBeLessThan(1.5);
      expect(Math.abs(colMean(d.training, j))).toBeLessThan(1e-4);
      expect(colVar(d.training, j)).toBeCloseTo(1, 3);
      expect(d.batchMean[j]).toBeCloseTo(colMean(d.before, j), 4);
    }
  });

  it('inference mode uses the moving statistics (unbiased EMA), not the batch ones', async () => {
    // few steps from μ = 0, σ² = 1: the moving mean lags the shifted batch, so inference output is off-centre
    const d = await batchNorm({ batchSize: 32, features: 2, seed: 4, shift: 6, scale: 2, momentum: 0.9, steps: 3 });
    for (let j = 0; j < 2; j++) {
      expect(d.movingMean[j]).toBeGreaterThan(0.5);
      expect(d.movingMean[j]).toBeLessThan(3);
      const expected = d.before.map((r) => (r[j]! - d.movingMean[j]!) / Math.sqrt(d.movingVariance[j]! + d.epsilon));
      d.inference.forEach((r, i) => expect(r[j]).toBeCloseTo(expected[i]!, 3));
      expect(colMean(d.inference, j)).toBeGreaterThan(1);
      expect(Math.abs(colMean(d.inference, j) - colMean(d.training, j))).toBeGreaterThan(1);
    }
    // after many steps the moving statistics reach the population and both modes agree roughly
    const long = await batchNorm({ batchSize: 32, features: 1, seed: 4, shift: 6, scale: 2, momentum: 0.9, steps: 200 });
    expect(Math.abs(long.movingMean[0]! - 6)).toBeLessThan(0.6);
    expect(Math.abs(long.movingVariance[0]! - 4)).toBeLessThan(1.2);
  });

  it('one training step folds m/(m−1)·σ²_B into the moving variance (docs/CONCEPTS.md#batch-normalization)', async () => {
    const d = await batchNorm({ batchSize: 8, features: 1, seed: 9, shift: 1, scale: 2, momentum: 0.9, steps: 1 });
    expect(d.movingMean[0]).toBeCloseTo(0.1 * d.batchMean[0]!, 4);
    expect(d.movingVariance[0]).toBeCloseTo(0.9 + 0.1 * (8 / 7) * d.batchVariance[0]!, 4);
  });

  it('batch size 1 returns the engine’s warning and the degenerate all-zero x̂ (every input becomes β)', async () => {
    const d = await batchNorm({ batchSize: 1, features: 3, seed: 1, shift: 3, scale: 2, momentum: 0.9, steps: 10 });
    expect(d.warning).toMatch(/Batch size 1 with batch normalization/);
    expect(d.training).toEqual([[0, 0, 0]]);
    const shifted = await batchNorm({ batchSize: 1, features: 1, seed: 1, shift: 3, scale: 2, steps: 5, beta: 0.25 });
    expect(shifted.training[0]![0]).toBeCloseTo(0.25, 6);
  });

  it('refuses batches over 256 values', () => {
    expect(labCalls['concepts.batchNorm'].safeParse([{ batchSize: 128, features: 4, seed: 1 }]).success).toBe(false);
  });
});
