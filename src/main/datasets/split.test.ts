import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDataset, querySamples } from './index';
import { assignSplits, type SplitInput } from './split';
import { distinct, put, tempDir, tempWorkspace } from './test-fixtures';

const free = (n: number, cls = 'a', offset = 0): SplitInput[] => Array.from({ length: n }, (_, i) => ({ key: `${cls}-${i + offset}`, className: cls, fixed: null, usable: true }));

describe('assignSplits', () => {
  it('follows the ratios per class', () => {
    const items = [...free(2000, 'a'), ...free(1000, 'b')];
    const s = assignSplits(items, { val: 0.1, test: 0.2, seed: 7 });
    for (const [cls, n] of [['a', 2000], ['b', 1000]] as const) {
      const mine = s.filter((_, i) => items[i]!.className === cls);
      expect(mine.filter((x) => x === 'test').length / n).toBeCloseTo(0.2, 1);
      expect(mine.filter((x) => x === 'val').length / n).toBeCloseTo(0.1, 1);
    }
  });

  it('keeps every image in its split when images are added', () => {
    const ratios = { val: 0.15, test: 0.15, seed: 42 };
    const before = free(300);
    const s1 = assignSplits(before, ratios);
    const after = [...free(150, 'a', 1000), ...before.slice(0, 150), ...free(200, 'a', 2000), ...before.slice(150)];
    const s2 = assignSplits(after, ratios);
    const byKey = new Map(after.map((it, i) => [it.key, s2[i]]));
    before.forEach((it, i) => expect(byKey.get(it.key)).toBe(s1[i]));
  });

  it('depends on the seed', () => {
    const items = free(200);
    const a = assignSplits(items, { val: 0.2, test: 0.2, seed: 1 });
    const b = assignSplits(items, { val: 0.2, test: 0.2, seed: 2 });
    expect(a).not.toEqual(b);
    expect(assignSplits(items, { val: 0.2, test: 0.2, seed: 1 })).toEqual(a);
  });

  it('gives a tiny class at least one val and one test image while keeping one for training', () => {
    const s = assignSplits(free(3, 'tiny'), { val: 0.01, test: 0.01, seed: 5 });
    expect([...s].sort()).toEqual(['test', 'train', 'val']);
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
