/**
 * Stratified, seeded train/val/test assignment. Each class gets round(n × fraction) test and val images (at least one
 * each for a non-zero ratio, as long as one image stays for training), so every class's counts are within one image
 * of its fractions. Which images: a hash of (seed, content hash) orders each class; a first split
 * cuts that order by the counts. A later one (files added, images excluded) starts from the images' previous splits
 * and moves only as many images as the new counts require, so adding files never reshuffles the others.
 */
import { createHash } from 'node:crypto';
import type { SplitName } from '../../shared/dto';

export interface SplitRatios {
  val: number;
  test: number;
  seed: number;
}

export const DEFAULT_SPLIT: SplitRatios = { val: 0.1, test: 0.1, seed: 42 };

/** A number in [0, 1) fixed by (seed, key). */
export function hashUnit(seed: number, key: string): number {
  const h = createHash('sha1').update(`${seed}:${key}`).digest();
  return h.readUIntBE(0, 6) / 2 ** 48;
}

export interface SplitInput {
  key: string;
  className: string;
  /** split given by the layout (pre-split folders, CSV column) */
  fixed: SplitName | null;
  /** only usable images are counted and cut */
  usable: boolean;
  /** the image's split in the previous assignment (same ratios and seed), if it had one */
  previous?: SplitName | null;
}

export interface SplitCounts {
  test: number;
  val: number;
  train: number;
}

/**
 * Per-class counts for n free images: round(n × ratio), raised to 1 for a non-zero ratio while at least one image
 * is left for training, and lowered (largest first) when rounding would leave no training image.
 */
export function targetCounts(n: number, test: number, val: number): SplitCounts {
  let t = Math.round(n * test);
  let v = Math.round(n * val);
  while (n >= 1 && t + v > n - 1) {
    if (t >= v && t > 0) t--;
    else v--;
  }
  if (test > 0 && t === 0 && n - t - v >= 2) t = 1;
  if (val > 0 && v === 0 && n - t - v >= 2) v = 1;
  return { test: t, val: v, train: Math.max(0, n - t - v) };
}

const ORDER: SplitName[] = ['test', 'val', 'train'];

/** Assigns one group (one class, one carving rule) by its hash order; see the file comment. */
function cutGroup(ks: number[], u: number[], prev: (SplitName | null)[], want: SplitCounts, out: SplitName[]): void {
  const sorted = [...ks].sort((a, b) => u[a]! - u[b]! || a - b);
  const members: Record<SplitName, number[]> = { test: [], val: [], train: [] };
  const free: number[] = [];
  for (const k of sorted) {
    const p = prev[k];
    if (p) members[p].push(k);
    else free.push(k);
  }
  // Over-full splits give back their images farthest from the front of the order (test/val) or nearest (train).
  for (const s of ORDER) {
    const list = members[s];
    while (list.length > want[s]) free.push((s === 'train' ? list.shift() : list.pop())!);
  }
  free.sort((a, b) => u[a]! - u[b]! || a - b);
  let f = 0;
  for (const s of ORDER) {
    const list = members[s];
    while (list.length < want[s] && f < free.length) list.push(free[f++]!);
    for (const k of list) out[k] = s;
  }
}

/**
 * A pre-split layout keeps its val/test images; when it has no val (or no test) split, that split is carved out of
 * its train images per class. Unusable images keep their fixed split (or train) and are not counted.
 */
export function assignSplits(items: SplitInput[], ratios: SplitRatios): SplitName[] {
  const hasVal = items.some((i) => i.fixed === 'val');
  const hasTest = items.some((i) => i.fixed === 'test');
  const u = items.map((i) => hashUnit(ratios.seed, i.key));
  const out: SplitName[] = items.map((i) => i.fixed ?? 'train');
  const prev = items.map((i) => (i.previous && i.fixed !== 'val' && i.fixed !== 'test' ? i.previous : null));
  const groups = new Map<string, { ks: number[]; test: number; val: number }>();
  items.forEach((item, k) => {
    if (!item.usable || item.fixed === 'val' || item.fixed === 'test') return;
    const test = item.fixed === 'train' && hasTest ? 0 : ratios.test;
    const val = item.fixed === 'train' && hasVal ? 0 : ratios.val;
    const id = JSON.stringify([item.className, test, val]);
    const g = groups.get(id) ?? { ks: [], test, val };
    g.ks.push(k);
    groups.set(id, g);
  });
  for (const g of groups.values()) cutGroup(g.ks, u, prev, targetCounts(g.ks.length, g.test, g.val), out);
  return out;
}
