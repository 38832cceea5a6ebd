import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDataset, querySamples } from './index';
import type { SplitName } from '../../shared/dto';
import { assignSplits, targetCounts, type SplitInput } from './split';
import { distinct, put, tempDir, tempWorkspace } from './test-fixtures';

const free = (n: number, cls = 'a', offset = 0): SplitInput[] => Array.from({ length: n }, (_, i) => ({ key: `${cls}-${i + offset}`, className: cls, fixed: null, usable: true }));

const countOf = (s: SplitName[], split: SplitName): number => s.filter((x) => x === split).length;

describe('assignSplits', () => {
  it('gives every class its fractions to within one image, for many class sizes', () => {
    for (const [val, test] of [[0.1, 0.1], [0.15, 0.15], [0.2, 0.1], [0.05, 0.3]] as const) {
      for (let n = 2; n <= 120; n++) {
        const s = assignSplits(free(n, `c${n}`), { val, test, seed: n });
        expect(Math.abs(countOf(s, 'test') - n * test), `n=${n} test`).toBeLessThanOrEqual(1);
        expect(Math.abs(countOf(s, 'val') - n * val), `n=${n} val`).toBeLessThanOrEqual(1);
        expect(countOf(s, 'train'), `n=${n} train`).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('splits 40 images per class at 10 %/10 % as 32/4/4 in every class', () => {
    const items = ['a', 'b', 'c', 'd', 'e'].flatMap((c) => free(40, c));
    const s = assignSplits(items, { val: 0.1, test: 0.1, seed: 42 });
    for (const c of ['a', 'b', 'c', 'd', 'e']) {
      const mine = s.filter((_, i) => items[i]!.className === c);
      expect([countOf(mine, 'train'), countOf(mine, 'val'), countOf(mine, 'test')]).toEqual([32, 4, 4]);
    }
  });

  it('follows the ratios per class in large classes', () => {
    const items = [...free(2000, 'a'), ...free(1000, 'b')];
    const s = assignSplits(items, { val: 0.1, test: 0.2, seed: 7 });
    for (const [cls, n] of [['a', 2000], ['b', 1000]] as const) {
      const mine = s.filter((_, i) => items[i]!.className === cls);
      expect(countOf(mine, 'test')).toBe(0.2 * n);
      expect(countOf(mine, 'val')).toBe(0.1 * n);
    }
  });

  it('moves no earlier image when files are added, except as the new counts require', () => {
    for (const [n, added] of [[40, 1], [40, 5], [7, 3], [3, 1], [2, 1], [100, 37], [19, 1]] as const) {
      const ratios = { val: 0.1, test: 0.1, seed: 42 };
      const before = free(n);
      const s1 = assignSplits(before, ratios);
      const prevOf = new Map(before.map((it, i) => [it.key, s1[i]!]));
      // New files land anywhere in the folder's order.
      const after = [...free(added, 'a', 1000), ...before].map((it) => ({ ...it, previous: prevOf.get(it.key) ?? null }));
      const s2 = assignSplits(after, ratios);
      const byKey = new Map(after.map((it, i) => [it.key, s2[i]!]));
      const moved = before.filter((it) => byKey.get(it.key) !== prevOf.get(it.key)).length;
      // Old images must move only out of a split whose count went down.
      const want = targetCounts(n + added, 0.1, 0.1);
      const required = (['train', 'val', 'test'] as const).reduce((a, sp) => a + Math.max(0, countOf(s1, sp) - want[sp]), 0);
      expect(moved, `n=${n} +${added}`).toBe(required);
      expect(Math.abs(countOf(s2, 'test') - (n + added) * 0.1)).toBeLessThanOrEqual(1);
      expect(Math.abs(countOf(s2, 'val') - (n + added) * 0.1)).toBeLessThanOrEqual(1);
    }
  });

  it('rebalances an old hash-based split with as few moves as the counts require', () => {
    const ratios = { val: 0.1, test: 0.1, seed: 42 };
    // 40 images split 27/7/6 by an old, unstratified assignment.
    const old: SplitName[] = [...Array(27).fill('train'), ...Array(7).fill('val'), ...Array(6).fill('test')];
    const items = free(40).map((it, i) => ({ ...it, previous: old[i]! }));
    const s = assignSplits(items, ratios);
    expect([countOf(s, 'train'), countOf(s, 'val'), countOf(s, 'test')]).toEqual([32, 4, 4]);
    expect(s.filter((x, i) => x !== old[i]).length).toBe(5);
  });

  it('depends on the seed', () => {
    const items = free(200);
    const a = assignSplits(items, { val: 0.2, test: 0.2, seed: 1 });
    const b = assignSplits(items, { val: 0.2, test: 0.2, seed: 2 });
    expect(a).not.toEqual(b);
    expect(assignSplits(items, { val: 0.2, test: 0.2, seed: 1 })).toEqual(a);
  });

  it('gives a tiny class at least one val and one test image while keeping one for training', () => {
    expect([...assignSplits(free(3, 'tiny'), { val: 0.01, test: 0.01, seed: 5 })].sort()).toEqual(['test', 'train', 'val']);
    expect([...assignSplits(free(2, 'tiny'), { val: 0.1, test: 0.1, seed: 5 })].sort()).toEqual(['test', 'train']);
    expect(assignSplits(free(1, 'tiny'), { val: 0.1, test: 0.1, seed: 5 })).toEqual(['train']);
  });

  it('carves a missing val split per class out of a pre-split layout\'s train images', () => {
    const items: SplitInput[] = [
      ...free(20, 'a').map((it) => ({ ...it, fixed: 'train' as const })),
      ...free(5, 'a', 100).map((it) => ({ ...it, fixed: 'test' as const })),
    ];
    const s = assignSplits(items, { val: 0.1, test: 0.1, seed: 3 });
    expect(countOf(s.slice(0, 20), 'val')).toBe(2);
    expect(countOf(s.slice(0, 20), 'test')).toBe(0);
    expect(s.slice(20)).toEqual(Array(5).fill('test'));
  });
});

describe('split stability through re-import', () => {
  it('keeps each imported image in its split when files are added to the folder', async () => {
    const data = tempDir('stable');
    const work = tempWorkspace();
    try {
      for (let i = 0; i < 30; i++) {
        await put(path.join(data.dir, 'a', `${i}.png`), await distinct(0, i));
        await put(path.join(data.dir, 'b', `${i}.png`), await distinct(1, i));
      }
      const s1 = await importDataset(work.ws, { paths: [data.dir], split: { val: 0.2, test: 0.2, seed: 9 } });
      const first = new Map((await querySamples(work.ws, { datasetId: s1.id, offset: 0, limit: 5000 })).items.map((i) => [i.path, i.split]));
      for (let i = 30; i < 60; i++) {
        await put(path.join(data.dir, 'a', `${i}.png`), await distinct(0, i));
        await put(path.join(data.dir, 'b', `${i}.png`), await distinct(1, i));
      }
      const s2 = await importDataset(work.ws, { paths: [data.dir] }); // ratios and seed are remembered
      expect(s2.id).toBe(s1.id);
      expect(s2.images).toBe(120);
      const second = new Map((await querySamples(work.ws, { datasetId: s2.id, offset: 0, limit: 5000 })).items.map((i) => [i.path, i.split]));
      for (const [p, split] of first) expect(second.get(p), p).toBe(split);
    } finally {
      work.cleanup();
      data.cleanup();
    }
  });
});
