/**
 * Batch-norm explainer with the formulas of SEED-NOTES §3, for one feature:
 *   training:  μ_B = mean, σ²_B = mean((x − μ_B)²), x̂ = (x − μ_B)/√(σ²_B + ε), y = γ·x̂ + β
 *   running:   μ ← α·μ + (1−α)·μ_B,  σ² ← α·σ² + (1−α)·σ²_B
 *   inference: x̂ = (x − μ)/√(σ²_inf + ε) with σ²_inf = m/(m−1)·σ² (the document's unbiased estimate;
 *              tfjs's BatchNormalization keeps the biased σ², offered as an option)
 */
import { gaussian, mulberry32 } from './rng';

export interface BatchStats {
  mean: number;
  variance: number;
}

export function batchStats(x: readonly number[]): BatchStats {
  const m = x.length;
  const mean = x.reduce((s, v) => s + v, 0) / m;
  const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / m;
  return { mean, variance };
}

export interface BnParams {
  gamma: number;
  beta: number;
  epsilon: number;
}

export function bnTrain(x: readonly number[], p: BnParams): { stats: BatchStats; xhat: number[]; y: number[] } {
  const stats = batchStats(x);
  const xhat = x.map((v) => (v - stats.mean) / Math.sqrt(stats.variance + p.epsilon));
  return { stats, xhat, y: xhat.map((v) => p.gamma * v + p.beta) };
}

export interface Running {
  mean: number;
  variance: number;
}

export function updateRunning(r: Running, s: BatchStats, alpha: number): Running {
  return { mean: alpha * r.mean + (1 - alpha) * s.mean, variance: alpha * r.variance + (1 - alpha) * s.variance };
}

/** Inference variance: unbiased m/(m−1)·σ² per the document, or tfjs's biased σ². Infinite for m = 1. */
export function inferenceVariance(r: Running, m: number, unbiased: boolean): number {
  if (!unbiased) return r.variance;
  return m > 1 ? (m / (m - 1)) * r.variance : Infinity;
}

export function bnInfer(x: readonly number[], r: Running, m: number, p: BnParams, unbiased: boolean): number[] {
  const v = inferenceVariance(r, m, unbiased);
  return x.map((xi) => p.gamma * ((xi - r.mean) / Math.sqrt(v + p.epsilon)) + p.beta);
}

export interface BnDemo {
  /** The last batch's pre-normalisation activations. */
  batch: number[];
  train: number[];
  infer: number[];
  stats: BatchStats;
  running: Running;
  /** Population the batches are drawn from (what the running statistics should approach). */
  population: BatchStats;
  /** Training mode with m = 1 maps every input to β: the layer's output carries no information. */
  degenerate: boolean;
}

/**
 * Feeds `steps` batches of size m from N(mean, sd²) through a BN layer in training mode (updating the
 * running statistics, which start at μ = 0, σ² = 1 as in tfjs), then shows the last batch through both modes.
 */
export function simulateBatchNorm(opts: { seed: number; batchSize: number; steps: number; alpha: number; mean: number; sd: number; params: BnParams; unbiased: boolean }): BnDemo {
  const rng = mulberry32(opts.seed);
  const m = opts.batchSize;
  let running: Running = { mean: 0, variance: 1 };
  let batch: number[] = [];
  let stats: BatchStats = { mean: 0, variance: 0 };
  for (let s = 0; s < opts.steps; s++) {
    batch = Array.from({ length: m }, () => opts.mean + opts.sd * gaussian(rng));
    stats = batchStats(batch);
    running = updateRunning(running, stats, opts.alpha);
  }
  const train = bnTrain(batch, opts.params).y;
  const infer = bnInfer(batch, running, m, opts.params, opts.unbiased);
  return { batch, train, infer, stats, running, population: { mean: opts.mean, variance: opts.sd * opts.sd }, degenerate: m === 1 };
}

export interface Histogram {
  edges: number[];
  counts: number[];
}

export function histogram(values: readonly number[], lo: number, hi: number, bins: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const i = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / w)));
    counts[i]++;
  }
  return { edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * w), counts };
}
