/** Picking images out of an ImageArray: k per class (step 2's small sample), or the first n in a seeded order. */
import type { ImageArray } from '../datasets/image-array';
import { seededPermutation } from '../training/seeded-random';

export function takeRows(data: ImageArray, rows: ArrayLike<number>): ImageArray {
  const rowBytes = data.size * data.size * data.channels;
  const n = rows.length;
  const x = new Uint8Array(n * rowBytes);
  const y = new Int32Array(n);
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    x.set(data.x.subarray(r * rowBytes, (r + 1) * rowBytes), i * rowBytes);
    y[i] = data.y[r]!;
    index[i] = data.index[r] ?? r;
  }
  return { ...data, x, y, index, n };
}

/** Up to k images of each class, chosen by a seeded shuffle so a rerun picks the same ones. */
export function perClassSample(data: ImageArray, k: number, seed: number): ImageArray {
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

export function shuffledHead(data: ImageArray, n: number, seed: number): ImageArray {
  const order = seededPermutation(data.n, seed);
  return takeRows(data, order.subarray(0, Math.min(n, data.n)));
}
