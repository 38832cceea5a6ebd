import { describe, expect, it } from 'vitest';
import { bandOf, colourAt, fromPixel, isoSegments, quantileLevels, sampleGrid, toPixel } from './contours';

describe('contour geometry', () => {
  const d = { xmin: -2, xmax: 2, ymin: -2, ymax: 2 };
  it('iso-line of x² + y² at level 1 lies on the unit circle', () => {
    const g = sampleGrid((x, y) => x * x + y * y, d, 81, 81);
    const seg = isoSegments(g, 1);
    expect(seg.length).toBeGreaterThan(4 * 50);
    for (let k = 0; k < seg.length; k += 2) {
      const x = d.xmin + (seg[k] / 80) * 4;
      const y = d.ymax - (seg[k + 1] / 80) * 4;
      expect(Math.abs(Math.hypot(x, y) - 1)).toBeLessThan(0.01);
    }
  });
  it('quantile levels are increasing and split the values into bands of similar size', () => {
    const g = sampleGrid((x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, d, 60, 60);
    const levels = quantileLevels(g.values, 10);
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeGreaterThan(levels[i - 1]);
    const counts = new Array<number>(levels.length + 1).fill(0);
    g.values.forEach((v) => counts[bandOf(v, levels)]++);
    for (const c of counts) expect(c).toBeGreaterThan(0.05 * g.values.length);
  });
  it('pixel mapping round-trips and puts y up', () => {
    const [px, py] = toPixel(d, 400, 200, 1, 1);
    expect(py).toBeLessThan(100);
    const [x, y] = fromPixel(d, 400, 200, px, py);
    expect(x).toBeCloseTo(1, 12);
    expect(y).toBeCloseTo(1, 12);
    expect(colourAt(0)).not.toEqual(colourAt(1));
  });
});
