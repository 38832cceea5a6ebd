/**
 * Tiny learnable image sets for tests and smoke runs: class k lights up a different region
 * (top half, bottom half, left half, right half, …) over seeded noise.
 */
import type { ImageArray } from '../datasets/image-array';
import { mulberry32 } from './seeded-random';

export function syntheticImages(opts: { n: number; size?: number; channels?: 1 | 3; classes?: number; seed?: number; noise?: number }): ImageArray {
  const size = opts.size ?? 8;
  const channels = opts.channels ?? 1;
  const C = opts.classes ?? 2;
  const rng = mulberry32(opts.seed ?? 1);
  const noise = opts.noise ?? 60;
  const x = new Uint8Array(opts.n * size * size * channels);
  const y = new Int32Array(opts.n);
  const index = new Int32Array(opts.n);
  const half = size / 2;
  const lit = (k: number, r: number, c: number): boolean => {
    switch (k % 4) {
      case 0:
        return r < half;
      case 1:
        return r >= half;
      case 2:
        return c < half;
      default:
        return c >= half;
    }
  };
  for (let i = 0; i < opts.n; i++) {
    const k = i % C;
    y[i] = k;
    index[i] = i;
    for (let r = 0; r < size; r++)
      for (let c = 0; c < size; c++)
        for (let ch = 0; ch < channels; ch++) {
          const base = lit(k, r, c) ? 170 : 60;
          const v = base + (rng() - 0.5) * 2 * noise;
          x[((i * size + r) * size + c) * channels + ch] = Math.max(0, Math.min(255, Math.round(v)));
        }
  }
  return { x, y, index, n: opts.n, size, channels, classes: Array.from({ length: C }, (_, k) => `class${k}`) };
}
