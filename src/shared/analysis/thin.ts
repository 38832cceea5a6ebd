/**
 * Chart thinning that keeps extremes: at most `max` points, the first and last always, and in between, per
 * equal-width bucket of the series, the point with the lowest and the one with the highest value (in their
 * original order). A stride would drop a single loss spike; min–max buckets never do. Non-finite values
 * (a NaN loss) count as the highest, so a divergence always shows.
 * One function for the run files, the HTML report and the renderer's dashboards.
 */
export function thinKeepingExtremes<T>(items: readonly T[], max: number, value: (item: T) => number): T[] {
  const n = items.length;
  if (n <= max) return [...items];
  if (max < 4) return max >= 2 ? [items[0]!, items[n - 1]!] : items.slice(0, Math.max(0, max));
  const key = (i: number): number => {
    const v = value(items[i]!);
    return Number.isFinite(v) ? v : Infinity;
  };
  const buckets = Math.floor((max - 2) / 2);
  const inner = n - 2;
  const out: T[] = [items[0]!];
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets); // exclusive
    if (to <= from) continue;
    let lo = from;
    let hi = from;
    for (let i = from + 1; i < to; i++) {
      if (key(i) < key(lo)) lo = i;
      if (key(i) > key(hi)) hi = i;
    }
    if (lo === hi) out.push(items[lo]!);
    else out.push(items[Math.min(lo, hi)]!, items[Math.max(lo, hi)]!);
  }
  out.push(items[n - 1]!);
  return out;
}
