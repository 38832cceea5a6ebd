/**
 * Reproducibility: one seed drives shuffling, weight initialisation and dropout masks.
 *
 * tfjs draws the seed of every unseeded random op (initialisers, tf.dropout) from Math.random(). The lab never
 * leaves one unseeded and never touches Math.random: model builders give every initialiser a seed from a
 * `SeedSource` made from (run seed, salt), and the training step gives every Dropout layer a seed from
 * (seed, epoch, batch) before each forward pass, so a resumed run draws exactly what an uninterrupted one did.
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

/** Seeds for tfjs random ops, one per call, drawn from a generator seeded with `seed`. */
export type SeedSource = () => number;

export function seedSource(seed: number): SeedSource {
  const rng = mulberry32(seed);
  // tfjs treats a seed of 0 as "no seed": never hand it one.
  return () => rng() || 1e-9;
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
