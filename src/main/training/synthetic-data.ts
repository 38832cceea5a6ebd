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

/**
 * RGB texture classes — horizontal stripes, vertical stripes, checks — with random period, phase and colours.
 * Which pixel is bright says nothing about the class; only edge orientation does. Pretrained convolutional
 * features capture that from a handful of examples; a model learning from raw pixels cannot.
 */
export function stripeTextures(opts: { perClass: number; size?: number; seed?: number }): ImageArray {
  const size = opts.size ?? 32;
  const rng = mulberry32(opts.seed ?? 1);
  const C = 3;
  const n = opts.perClass * C;
  const x = new Uint8Array(n * size * size * 3);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % C;
    y[i] = k;
    const period = 4 + rng() * 6;
    const phaseR = rng() * period;
    const phaseC = rng() * period;
    const dark = [rng(), rng(), rng()].map((v) => 40 + v * 80);
    const light = [rng(), rng(), rng()].map((v) => 140 + v * 100);
    for (let r = 0; r < size; r++)
      for (let c = 0; c < size; c++) {
        const rowOn = Math.sin((2 * Math.PI * (r + phaseR)) / period) > 0;
        const colOn = Math.sin((2 * Math.PI * (c + phaseC)) / period) > 0;
        const on = k === 0 ? rowOn : k === 1 ? colOn : rowOn !== colOn;
        for (let ch = 0; ch < 3; ch++) {
          const v = (on ? light[ch]! : dark[ch]!) + (rng() - 0.5) * 40;
          x[((i * size + r) * size + c) * 3 + ch] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
  }
  return { x, y, index: Int32Array.from(y, (_, i) => i), n, size, channels: 3, classes: ['horizontal', 'vertical', 'checks'] };
}
