import { describe, expect, it } from 'vitest';
import { dropoutMask, dropoutView, meanOverMasks, tinyLayerActivations } from './dropout';
import { batchStats, bnTrain, histogram, simulateBatchNorm, updateRunning } from './batchnorm';
import { mulberry32 } from './rng';

describe('dropout explainer', () => {
  const a = tinyLayerActivations(3);
  it('inverted dropout zeroes dropped units and scales kept ones by 1/(1−p); test uses the whole layer', () => {
    const p = 0.5;
    const mask = dropoutMask(a.length, p, mulberry32(1));
    const v = dropoutView(a, p, mask);
    v.invertedTrain.forEach((val, i) => expect(val).toBeCloseTo(mask[i] ? a[i] * 2 : 0, 14));
    expect(v.invertedTest).toEqual(a);
    v.plainTest.forEach((val, i) => expect(val).toBeCloseTo(a[i] * 0.5, 14));
    expect(mask.some((m) => m === 0) && mask.some((m) => m === 1)).toBe(true);
  });
  it('averaged over many masks, training output equals the test output (why the scaling exists)', () => {
    const mean = meanOverMasks(a, 0.5, 20000, 9);
    mean.forEach((m, i) => expect(Math.abs(m - a[i])).toBeLessThan(0.05 * Math.max(1, a[i])));
  });
  it('rejects p outside [0, 1)', () => {
    expect(() => dropoutView(a, 1, a.map(() => 0))).toThrow(/drop probability/);
  });
});

describe('batch-norm explainer', () => {
  const params = { gamma: 1, beta: 0, epsilon: 1e-3 };
  it('training mode normalises the batch to mean 0, variance ≈ 1 (biased, over the batch)', () => {
    const { y, stats } = bnTrain([1, 2, 3, 4, 10], params);
    const s = batchStats(y);
    expect(s.mean).toBeCloseTo(0, 12);
    expect(s.variance).toBeCloseTo(stats.variance / (stats.variance + 1e-3), 12);
    expect(stats.variance).toBeCloseTo(10, 12); // mean 4, squared deviations 9+4+1+0+36 = 50, /5
  });
  it('γ and β set the output scale and shift', () => {
    const { y } = bnTrain([1, 2, 3, 4, 10], { gamma: 2, beta: 5, epsilon: 1e-3 });
    expect(batchStats(y).mean).toBeCloseTo(5, 12);
  });
  it('running variance: EMA of m/(m−1)·σ²_B (the document’s unbiased estimate) or of σ²_B (tfjs)', () => {
    const s = { mean: 2, variance: 3 };
    expect(updateRunning({ mean: 0, variance: 1 }, s, 0.9, 4, true).variance).toBeCloseTo(0.9 + 0.1 * (4 / 3) * 3, 14);
    expect(updateRunning({ mean: 0, variance: 1 }, s, 0.9, 4, false).variance).toBeCloseTo(0.9 + 0.1 * 3, 14);
    expect(updateRunning({ mean: 0, variance: 1 }, s, 0.9, 4, false).mean).toBeCloseTo(0.2, 14);
  });
  it('running statistics approach the population; inference then matches training mode on a typical batch', () => {
    const d = simulateBatchNorm({ seed: 4, batchSize: 32, steps: 300, alpha: 0.9, mean: 3, sd: 2, params, unbiased: true });
    expect(d.running.mean).toBeCloseTo(3, 0);
    expect(Math.abs(d.running.variance - 4)).toBeLessThan(0.8);
    expect(batchStats(d.infer).mean).toBeCloseTo(batchStats(d.train).mean, 0);
    expect(Math.sqrt(batchStats(d.infer).variance)).toBeGreaterThan(0.6);
    expect(Math.sqrt(batchStats(d.infer).variance)).toBeLessThan(1.5);
  });
  it('batch size 1 breaks training mode: every input maps to β, and the unbiased factor m/(m−1) is undefined', () => {
    const d = simulateBatchNorm({ seed: 4, batchSize: 1, steps: 50, alpha: 0.9, mean: 3, sd: 2, params: { gamma: 1, beta: 0.25, epsilon: 1e-3 }, unbiased: true });
    expect(d.degenerate).toBe(true);
    expect(d.train).toEqual([0.25]);
    expect(d.running.variance).toBeLessThan(0.01); // σ²_B = 0 on every batch: the running variance decays to 0
    // … so inference divides by about √ε and blows a typical input up
    expect(Math.abs(d.infer[0] - 0.25)).toBeGreaterThan(Math.abs(d.batch[0] - d.running.mean) * 5);
  });
  it('histogram counts every finite value once', () => {
    const h = histogram([0, 0.1, 0.5, 0.99, 5, -5, NaN], 0, 1, 4);
    expect(h.counts).toEqual([3, 0, 1, 2]);
    expect(h.edges).toHaveLength(5);
  });
});
