/**
 * Batch-norm explainer with the formulas of SEED-NOTES §3, for one feature, written as the engine's
 * SeedBatchNorm layer (src/main/models/layers/seed-batch-norm.ts) computes them:
 *   training:  μ_B = mean, σ²_B = mean((x − μ_B)²), x̂ = (x − μ_B)/√(σ²_B + ε), y = γ·x̂ + β
 *   running:   μ ← α·μ + (1−α)·μ_B,  σ² ← α·σ² + (1−α)·m/(m−1)·σ²_B  (the document's unbiased estimate;
 *              factor 1 when m = 1, and tfjs's BatchNormalization keeps the biased σ²_B, offered as an option)
 *   inference: x̂ = (x − μ)/√(σ² + ε), y = γ·x̂ + β
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

/** m/(m−1) for the document's unbiased running variance; 1 for tfjs's biased one or when m = 1. */
export function varianceFactor(m: number, unbiased: boolean): number {
  return unbiased && m > 1 ? m / (m - 1) : 1;
}

export function updateRunning(r: Running, s: BatchStats, alpha: number, m: number, unbiased: boolean): Running {
  return { mean: alpha * r.mean + (1 - alpha) * s.mean, variance: alpha * r.variance + (1 - alpha) * varianceFactor(m, unbiased) * s.variance };
}

export function bnInfer(x: readonly number[], r: Running, p: BnParams): number[] {
  return x.map((xi) => p.gamma * ((xi - r.mean) / Math.sqrt(r.variance + p.epsilon)) + p.beta);
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
  /**
   * m = 1: training mode maps every input to β (the output carries no information) and σ²_B = 0 on
   * every batch, so the running variance decays to 0 and inference divides by √ε.
   */
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
    running = updateRunning(running, stats, opts.alpha, m, opts.unbiased);
  }
  const train = bnTrain(batch, opts.params).y;
  const infer = bnInfer(batch, running, opts.params);
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
