/**
 * TensorBoard's scalar smoothing: an exponential moving average debiased like Adam's moments, so the first
 * points are not dragged towards 0. Non-finite values pass through unsmoothed and do not touch the average;
 * a constant series is returned as is (TensorBoard does the same to avoid float noise).
 */
export function debiasedEma(values: readonly number[], weight: number): number[] {
  const w = clampWeight(weight);
  const first = values.find((v) => Number.isFinite(v));
  const constant = values.every((v) => v === values[0]);
  let last = 0;
  let n = 0;
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (constant || !Number.isFinite(x) || first === undefined) {
      out[i] = x;
      continue;
    }
    last = last * w + (1 - w) * x;
    n++;
    out[i] = w === 1 ? last : last / (1 - Math.pow(w, n));
  }
  return out;
}

/** Streaming form of {@link debiasedEma} for live charts: push one point at a time in O(1). */
export class DebiasedEma {
  private last = 0;
  private n = 0;
  private readonly w: number;

  constructor(weight: number) {
    this.w = clampWeight(weight);
  }

  push(x: number): number {
    if (!Number.isFinite(x)) return x;
    this.last = this.last * this.w + (1 - this.w) * x;
    this.n++;
    return this.w === 1 ? this.last : this.last / (1 - Math.pow(this.w, this.n));
  }
}

/** The slider's range: 0 (no smoothing) … 0.999. */
export function clampWeight(weight: number): number {
  if (!Number.isFinite(weight) || weight <= 0) return 0;
  return Math.min(weight, 0.999);
}
