/**
 * Picking images out of a split (in memory, or on disk where only the picked images are read): k per class
 * (step 2's small sample), or the first n in a seeded order.
 */
import type { ImageArray } from '../datasets/image-array';
import { readPixels, type SplitPixels } from '../datasets/split-on-disk';
import { seededPermutation } from '../training/seeded-random';

export async function takeRows(data: SplitPixels, rows: ArrayLike<number>): Promise<ImageArray> {
  const n = rows.length;
  const y = new Int32Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    y[i] = data.y[r]!;
    index[i] = data.index[r] ?? r;
  }
  const x = await readPixels(data, rows);
  return { x, y, index, n, size: data.size, channels: data.channels, classes: data.classes };
}

/** Up to k images of each class, chosen by a seeded shuffle so a rerun picks the same ones. */
export function perClassSample(data: SplitPixels, k: number, seed: number): Promise<ImageArray> {
  const order = seededPermutation(data.n, seed);
  const taken = new Array<number>(data.classes.length).fill(0);
  const rows: number[] = [];
  for (const r of order) {
    const c = data.y[r]!;
    if (taken[c]! < k) {
      taken[c]!++;
      rows.push(r);
    }
  }
  return takeRows(data, rows);
}

export function shuffledHead(data: SplitPixels, n: number, seed: number): Promise<ImageArray> {
  const order = seededPermutation(data.n, seed);
  return takeRows(data, order.subarray(0, Math.min(n, data.n)));
}
