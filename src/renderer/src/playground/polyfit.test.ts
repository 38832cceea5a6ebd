import { describe, expect, it } from 'vitest';
import { evaluate, fitDegrees, makePolyData, monomialCoefficients, polyfit, TRUE_COEFFS } from './polyfit';

describe('polynomial least squares', () => {
  it('recovers known coefficients exactly from noiseless points', () => {
    const coeffs = [3, -1, 0.5, 2]; // 3 − x + 0.5x² + 2x³
    const xs = Array.from({ length: 12 }, (_, i) => 1 + i * 0.5); // off-centre range exercises the scaling
    const ys = xs.map((x) => coeffs.reduce((s, c, k) => s + c * x ** k, 0));
    const p = polyfit(xs, ys, 3);
    monomialCoefficients(p).forEach((c, k) => expect(c).toBeCloseTo(coeffs[k], 8));
  });

  it('degree 9 through 10 points interpolates them (train error ≈ 0) but validates worse than degree 2', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const data = makePolyData(seed, 10, 200, 0.3);
      const [d1, d2, d9] = fitDegrees(data, [1, 2, 9]);
      expect(d9.trainMse).toBeLessThan(1e-16);
      data.train.x.forEach((x, i) => expect(evaluate(d9.fit, x)).toBeCloseTo(data.train.y[i], 8));
      expect(d9.valMse).toBeGreaterThan(d2.valMse);
      // degree 1 underfits: worse than degree 2 on both sets
      expect(d1.trainMse).toBeGreaterThan(d2.trainMse);
      expect(d1.valMse).toBeGreaterThan(d2.valMse);
    }
  });

  it('degree 2 on many noisy points recovers the true parabola', () => {
    const data = makePolyData(7, 400, 10, 0.3);
    const c = monomialCoefficients(polyfit(data.train.x, data.train.y, 2));
    c.forEach((v, k) => expect(v).toBeCloseTo(TRUE_COEFFS[k], 0));
  });

  it('refuses to fit more coefficients than points', () => {
    expect(() => polyfit([0, 1, 2], [1, 2, 3], 5)).toThrow(/at least 6 points/);
  });
});
