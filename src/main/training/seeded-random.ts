/**
 * Reproducibility: one seed drives shuffling, weight initialisation and dropout masks.
 *
 * tfjs draws the seed of every unseeded random op (initialisers, tf.dropout) from Math.random(). Rather than
 * patching layers, the trainer runs each synchronous forward/backward pass inside `withSeededMathRandom`, so
 * the masks depend only on (seed, epoch, batch) and a resumed run draws exactly what an uninterrupted one did.
 * The swap is safe because tfjs ops on the CPU/WASM/native backends run synchronously: no other code can
 * observe Math.random while it is replaced.
 */

import { mulberry32 } from '../../shared/random';

export { mulberry32 };

/** Mixes several integers into one 32-bit seed (so seed 42 epoch 3 ≠ seed 43 epoch 2). */
export function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return h >>> 0;
}

/** Runs a synchronous function with Math.random replaced by a generator seeded with `seed`. */
export function withSeededMathRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  const rng = mulberry32(seed);
  // tfjs treats a seed of 0 as "no seed": never hand it one.
  Math.random = () => rng() || 1e-9;
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/** Fisher–Yates permutation of 0..n-1 driven by `seed`. */
export function seededPermutation(n: number, seed: number): Int32Array {
  const rng = mulberry32(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}
