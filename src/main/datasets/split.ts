/**
 * Stratified, seeded train/val/test assignment that never moves an image when files are added: each image's split
 * comes from a hash of (seed, its content hash) compared with the ratios, not from its rank among the others.
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
  /** only usable images take part in the small-class fix-up */
  usable: boolean;
}

/**
 * Free images: test if u < test, val if u < test + val, else train. A pre-split layout keeps its splits; when it has
 * no val (or no test) split, that split is carved out of its train images the same way. A class so small that a
 * split with a non-zero ratio got none of its images borrows its lowest-u training images, keeping ≥ 1 in train.
 */
export function assignSplits(items: SplitInput[], ratios: SplitRatios): SplitName[] {
  const hasVal = items.some((i) => i.fixed === 'val');
  const hasTest = items.some((i) => i.fixed === 'test');
  const u = items.map((i) => hashUnit(ratios.seed, i.key));
  const out: SplitName[] = items.map((item, k) => {
    if (item.fixed === 'val' || item.fixed === 'test') return item.fixed;
    const test = item.fixed === 'train' && hasTest ? 0 : ratios.test;
    const val = item.fixed === 'train' && hasVal ? 0 : ratios.val;
    const x = u[k]!;
    return x < test ? 'test' : x < test + val ? 'val' : 'train';
  });
  // Small-class fix-up, per class, among images whose split is not fixed to val/test.
  const byClass = new Map<string, number[]>();
  items.forEach((item, k) => {
    if (!item.usable || item.fixed === 'val' || item.fixed === 'test') return;
    const list = byClass.get(item.className) ?? [];
    list.push(k);
    byClass.set(item.className, list);
  });
  for (const list of byClass.values()) {
    const want: SplitName[] = [];
    const carveTest = !(hasTest && list.every((k) => items[k]!.fixed === 'train'));
    const carveVal = !(hasVal && list.every((k) => items[k]!.fixed === 'train'));
    if (ratios.test > 0 && carveTest) want.push('test');
    if (ratios.val > 0 && carveVal) want.push('val');
    for (const split of want) {
      if (list.some((k) => out[k] === split)) continue;
      const train = list.filter((k) => out[k] === 'train').sort((a, b) => u[a]! - u[b]!);
      if (train.length < 2) break;
      out[train[0]!] = split;
    }
  }
  return out;
}
