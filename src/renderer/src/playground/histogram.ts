/** Fixed-range histograms for the batch-norm explainer's before/after charts. */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/** `bins` equal bins over [lo, hi]; values outside land in the edge bins, non-finite values are skipped. */
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
