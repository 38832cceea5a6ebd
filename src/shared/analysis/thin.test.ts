import { describe, expect, it } from 'vitest';
import { thinKeepingExtremes } from './thin';

const ramp = (n: number) => Array.from({ length: n }, (_, i) => 2 - i / n);

describe('thinKeepingExtremes', () => {
  it('a single loss spike survives thinning 10 000 points to 200 (a stride would drop it)', () => {
    const losses = ramp(10_000);
    losses[4321] = 9;
    const kept = thinKeepingExtremes(losses.map((loss, i) => ({ i, loss })), 200, (p) => p.loss);
    expect(kept.length).toBeLessThanOrEqual(200);
    expect(kept.some((p) => p.i === 4321 && p.loss === 9)).toBe(true);
    const stride = losses.filter((_, i) => i % 50 === 0);
    expect(stride).not.toContain(9);
  });

  it('keeps the first and the last point, the order, and a NaN', () => {
    const xs = ramp(1000);
    xs[700] = NaN;
    const kept = thinKeepingExtremes(xs.map((v, i) => [i, v] as const), 50, (p) => p[1]);
    expect(kept[0]![0]).toBe(0);
    expect(kept.at(-1)![0]).toBe(999);
    expect(kept.some((p) => Number.isNaN(p[1]))).toBe(true);
    const idx = kept.map((p) => p[0]);
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    expect(new Set(idx).size).toBe(idx.length);
  });

  it('returns short series unchanged, as a copy', () => {
    const xs = [3, 1, 2];
    const kept = thinKeepingExtremes(xs, 10, (v) => v);
    expect(kept).toEqual(xs);
    expect(kept).not.toBe(xs);
  });
});
