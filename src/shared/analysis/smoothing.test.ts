import { describe, expect, it } from 'vitest';
import { DebiasedEma, debiasedEma } from './smoothing';

describe('debiasedEma (TensorBoard scalar smoothing)', () => {
  it('returns the raw series at weight 0', () => {
    expect(debiasedEma([3, 1, 4, 1, 5], 0)).toEqual([3, 1, 4, 1, 5]);
  });

  it('debiases the first point to the point itself (no pull towards 0)', () => {
    expect(debiasedEma([10, 20], 0.9)[0]).toBeCloseTo(10, 12);
  });

  it('matches values worked by hand for weight 0.5', () => {
    // last: 0.5·0+0.5·1 = 0.5 → /0.5 = 1;  0.25+0.5·2 = 1.25 → /0.75 = 5/3;  0.625+0.5·4 = 2.625 → /0.875 = 3
    const s = debiasedEma([1, 2, 4], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(5 / 3, 12);
    expect(s[2]).toBeCloseTo(3, 12);
  });

  it('matches TensorBoard on a noisy series at weight 0.6', () => {
    // Reference values from TensorBoard's resmoothDataset algorithm, computed independently (Python) to 6 digits.
    const xs = [2.3, 2.1, 2.2, 1.7, 1.9, 1.4, 1.5, 1.1];
    const expected = [2.3, 2.175, 2.187755, 1.963603, 1.936017, 1.711117, 1.624238, 1.410961];
    const got = debiasedEma(xs, 0.6);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    // Smoothing damps the zig-zag: total variation of the smoothed curve is well below the raw one's.
    const tv = (a: number[]) => a.slice(1).reduce((s, v, i) => s + Math.abs(v - a[i]!), 0);
    expect(tv(got)).toBeLessThan(tv(xs) * 0.7);
  });

  it('skips NaN and Infinity: they pass through and do not poison later points', () => {
    const s = debiasedEma([1, Number.NaN, 1, Number.POSITIVE_INFINITY, 1, 3], 0.9);
    expect(Number.isNaN(s[1]!)).toBe(true);
    expect(s[3]).toBe(Number.POSITIVE_INFINITY);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[2]).toBeCloseTo(1, 12);
    expect(s[4]).toBeCloseTo(1, 12);
    // 4th finite point: last = 0.9·(1−0.9³) + 0.1·3 → debiased by 1 − 0.9⁴
    expect(s[5]).toBeCloseTo((0.9 * (1 - 0.9 ** 3) + 0.3) / (1 - 0.9 ** 4), 12);
  });

  it('leaves a constant series exactly constant', () => {
    expect(debiasedEma([0.1, 0.1, 0.1, 0.1], 0.99)).toEqual([0.1, 0.1, 0.1, 0.1]);
  });

  it('caps the weight at 0.999 and treats negative weights as 0', () => {
    expect(debiasedEma([1, 5], 1)).toEqual(debiasedEma([1, 5], 0.999));
    expect(debiasedEma([1, 5], -3)).toEqual([1, 5]);
  });

  it('streams the same numbers point by point', () => {
    const xs = Array.from({ length: 500 }, (_, i) => Math.exp(-i / 100) + Math.sin(i) * 0.1);
    const ema = new DebiasedEma(0.95);
    const streamed = xs.map((x) => ema.push(x));
    const batch = debiasedEma(xs, 0.95);
    streamed.forEach((v, i) => expect(v).toBeCloseTo(batch[i]!, 10));
  });
});
