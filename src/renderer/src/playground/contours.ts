/** Contour-plot geometry, independent of any canvas: sampling, level choice, iso-lines, colour scale. */
import type { Domain } from './surfaces';

export interface Grid {
  nx: number;
  ny: number;
  domain: Domain;
  /** Row-major values; row 0 is y = ymax (top of the picture), column 0 is x = xmin. */
  values: Float64Array;
}

export function sampleGrid(f: (x: number, y: number) => number, domain: Domain, nx: number, ny: number): Grid {
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    const y = domain.ymax - ((domain.ymax - domain.ymin) * j) / (ny - 1);
    for (let i = 0; i < nx; i++) {
      const x = domain.xmin + ((domain.xmax - domain.xmin) * i) / (nx - 1);
      values[j * nx + i] = f(x, y);
    }
  }
  return { nx, ny, domain, values };
}

/**
 * Levels at quantiles of the sampled values: every band covers about the same area, which reads well
 * for surfaces whose range spans decades (Rosenbrock) without a per-surface log/linear choice.
 */
export function quantileLevels(values: ArrayLike<number>, n: number): number[] {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
  if (finite.length === 0) return [];
  finite.sort((a, b) => a - b);
  const levels: number[] = [];
  for (let k = 1; k < n; k++) {
    const v = finite[Math.min(finite.length - 1, Math.floor((k / n) * finite.length))];
    if (levels.length === 0 || v > levels[levels.length - 1]) levels.push(v);
  }
  return levels;
}

/** Index of the band v falls in: 0 below levels[0], levels.length above the last. */
export function bandOf(v: number, levels: readonly number[]): number {
  let lo = 0;
  let hi = levels.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v >= levels[mid]) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Marching squares: iso-line segments [i1, j1, i2, j2] in fractional grid coordinates. */
export function isoSegments(g: Grid, level: number): number[] {
  const out: number[] = [];
  const { nx, ny, values } = g;
  const lerp = (a: number, b: number): number => (level - a) / (b - a);
  for (let j = 0; j < ny - 1; j++) {
    for (let i = 0; i < nx - 1; i++) {
      const v0 = values[j * nx + i]; // top-left
      const v1 = values[j * nx + i + 1]; // top-right
      const v2 = values[(j + 1) * nx + i + 1]; // bottom-right
      const v3 = values[(j + 1) * nx + i]; // bottom-left
      if (!(Number.isFinite(v0) && Number.isFinite(v1) && Number.isFinite(v2) && Number.isFinite(v3))) continue;
      const c = (v0 >= level ? 1 : 0) | (v1 >= level ? 2 : 0) | (v2 >= level ? 4 : 0) | (v3 >= level ? 8 : 0);
      if (c === 0 || c === 15) continue;
      // crossing points on the four edges
      const top = (): [number, number] => [i + lerp(v0, v1), j];
      const right = (): [number, number] => [i + 1, j + lerp(v1, v2)];
      const bottom = (): [number, number] => [i + lerp(v3, v2), j + 1];
      const left = (): [number, number] => [i, j + lerp(v0, v3)];
      const seg = (a: [number, number], b: [number, number]): void => {
        out.push(a[0], a[1], b[0], b[1]);
      };
      switch (c) {
        case 1: case 14: seg(left(), top()); break;
        case 2: case 13: seg(top(), right()); break;
        case 3: case 12: seg(left(), right()); break;
        case 4: case 11: seg(right(), bottom()); break;
        case 6: case 9: seg(top(), bottom()); break;
        case 7: case 8: seg(left(), bottom()); break;
        case 5: seg(left(), top()); seg(right(), bottom()); break;
        case 10: seg(top(), right()); seg(left(), bottom()); break;
      }
    }
  }
  return out;
}

/** A perceptually ordered colour scale (viridis stops), t in [0, 1]. */
const STOPS: readonly [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

export function colourAt(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const k = Math.min(STOPS.length - 2, Math.floor(u));
  const f = u - k;
  const a = STOPS[k];
  const b = STOPS[k + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** Fills an RGBA buffer (grid resolution) with the band colours. */
export function bandImage(g: Grid, levels: readonly number[]): Uint8ClampedArray {
  const px = new Uint8ClampedArray(g.nx * g.ny * 4);
  const nb = Math.max(1, levels.length);
  for (let k = 0; k < g.values.length; k++) {
    const v = g.values[k];
    const [r, gg, b] = Number.isFinite(v) ? colourAt(bandOf(v, levels) / nb) : [40, 40, 40];
    px[4 * k] = r;
    px[4 * k + 1] = gg;
    px[4 * k + 2] = b;
    px[4 * k + 3] = 255;
  }
  return px;
}

/** Maps between domain coordinates and canvas pixels (y grows upward in the domain, downward on screen). */
export function toPixel(d: Domain, w: number, h: number, x: number, y: number): [number, number] {
  return [((x - d.xmin) / (d.xmax - d.xmin)) * w, ((d.ymax - y) / (d.ymax - d.ymin)) * h];
}
export function fromPixel(d: Domain, w: number, h: number, px: number, py: number): [number, number] {
  return [d.xmin + (px / w) * (d.xmax - d.xmin), d.ymax - (py / h) * (d.ymax - d.ymin)];
}
