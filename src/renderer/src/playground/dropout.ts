/**
 * Dropout explainer (SEED-NOTES §2): p is the probability of DROPPING a unit (tfjs's `rate`).
 * Inverted dropout scales kept units by 1/(1−p) during training so the test-time network is used as is;
 * the original form leaves training unscaled and multiplies by (1−p) at test. Both keep E[train] = test.
 */
import { gaussian, mulberry32, type Rng } from './rng';

/** A tiny dense ReLU layer h = relu(W·x + b) with seeded weights: the activations the demo drops. */
export function tinyLayerActivations(seed: number, inputs = 8, units = 16): number[] {
  const rng = mulberry32(seed);
  const x = Array.from({ length: inputs }, () => gaussian(rng));
  const scale = Math.sqrt(2 / inputs); // He initialisation, as the engine's dense layers use for ReLU
  const out: number[] = [];
  for (let u = 0; u < units; u++) {
    let z = 0.1;
    for (let i = 0; i < inputs; i++) z += scale * gaussian(rng) * x[i];
    out.push(Math.max(0, z));
  }
  return out;
}

/** keep[i] = 1 with probability 1−p. */
export function dropoutMask(n: number, p: number, rng: Rng): number[] {
  return Array.from({ length: n }, () => (rng() < p ? 0 : 1));
}

export interface DropoutView {
  /** The layer's activations with the whole network (no dropout). */
  full: number[];
  mask: number[];
  /** Inverted dropout, training: a·mask/(1−p). Test: a. */
  invertedTrain: number[];
  invertedTest: number[];
  /** Original dropout, training: a·mask. Test: a·(1−p). */
  plainTrain: number[];
  plainTest: number[];
}

export function dropoutView(a: readonly number[], p: number, mask: readonly number[]): DropoutView {
  if (!(p >= 0 && p < 1)) throw new Error(`drop probability p must be in [0, 1), got ${p}`);
  return {
    full: a.slice(),
    mask: mask.slice(),
    invertedTrain: a.map((v, i) => (v * mask[i]) / (1 - p)),
    invertedTest: a.slice(),
    plainTrain: a.map((v, i) => v * mask[i]),
    plainTest: a.map((v) => v * (1 - p)),
  };
}

/** Mean of the inverted-dropout training output over many masks: tends to the test output. */
export function meanOverMasks(a: readonly number[], p: number, trials: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const sum = new Array<number>(a.length).fill(0);
  for (let t = 0; t < trials; t++) {
    const mask = dropoutMask(a.length, p, rng);
    for (let i = 0; i < a.length; i++) sum[i] += (a[i] * mask[i]) / (1 - p);
  }
  return sum.map((s) => s / trials);
}
