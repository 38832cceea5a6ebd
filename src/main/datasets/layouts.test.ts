import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SampleItem, SplitName } from '../../shared/dto';
import { importDataset, inspectFolders, querySamples } from './index';
import { distinct, put, tempDir, tempWorkspace } from './test-fixtures';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function setup(): { dir: string; ws: ReturnType<typeof tempWorkspace>['ws'] } {
  const data = tempDir('layout');
  const work = tempWorkspace();
  cleanups.push(data.cleanup, work.cleanup);
  return { dir: data.dir, ws: work.ws };
}

async function all(ws: ReturnType<typeof tempWorkspace>['ws'], id: string): Promise<SampleItem[]> {
  return (await querySamples(ws, { datasetId: id, offset: 0, limit: 5000 })).items;
}

describe('layout 1: one subfolder per class', () => {
  it('flattens deeper subfolders into their class and merges dropped folders by class name', async () => {
    const { dir, ws } = setup();
    await put(path.join(dir, 'a', 'cats', '1.png'), await distinct(0, 1));
    await put(path.join(dir, 'a', 'cats', 'garden', 'summer', '2.png'), await distinct(0, 2));
    await put(path.join(dir, 'a', 'dogs', '1.png'), await distinct(1, 1));
    await put(path.join(dir, 'b', 'cats', '3.png'), await distinct(0, 3));
    await put(path.join(dir, 'b', 'birds', '1.png'), await distinct(2, 1));
    const preview = await inspectFolders([path.join(dir, 'a'), path.join(dir, 'b')]);
    expect(preview).toMatchObject({ layout: 'class-folders', classes: ['birds', 'cats', 'dogs'], files: 5 });
    const s = await importDataset(ws, { paths: [path.join(dir, 'a'), path.join(dir, 'b')] });
    const cats = s.classes.find((c) => c.name === 'cats')!;
    expect(cats.counts.train + cats.counts.val + cats.counts.test).toBe(3);
    const items = await all(ws, s.id);
    expect(items.find((i) => i.path.endsWith(path.join('summer', '2.png')))?.className).toBe('cats');
    // the same folders in another order are the same dataset
    const again = await importDataset(ws, { paths: [path.join(dir, 'b'), path.join(dir, 'a')] });
    expect(again.id).toBe(s.id);
  });

  it('takes several dropped folders of loose images as one class each', async () => {
    const { dir, ws } = setup();
    for (let i = 0; i < 3; i++) {
      await put(path.join(dir, 'cats', `${i}.png`), await distinct(0, i));
      await put(path.join(dir, 'dogs', `${i}.png`), await distinct(1, i));
    }
    const s = await importDataset(ws, { paths: [path.join(dir, 'cats'), path.join(dir, 'dogs')] });
    expect(s.classes.map((c) => c.name)).toEqual(['cats', 'dogs']);
    expect(s.images).toBe(6);
  });
});

describe('layout 2: pre-split train/val/test', () => {
  it('keeps the given splits, reads valid/ as val, and flags an image in both train and test as a leak', async () => {
    const { dir, ws } = setup();
    for (let i = 0; i < 6; i++) {
      await put(path.join(dir, 'train', 'a', `${i}.png`), await distinct(0, i));
      await put(path.join(dir, 'train', 'b', `${i}.png`), await distinct(1, i));
    }
    await put(path.join(dir, 'valid', 'a', 'v.png'), await distinct(0, 20));
    await put(path.join(dir, 'valid', 'b', 'v.png'), await distinct(1, 20));
    await put(path.join(dir, 'test', 'a', 't.png'), await distinct(0, 30));
    await put(path.join(dir, 'test', 'b', 't.png'), await distinct(1, 30));
    await put(path.join(dir, 'test', 'a', 'leaked.png'), await distinct(0, 2)); // = train/a/2.png
    expect((await inspectFolders([dir])).layout).toBe('pre-split');
    const s = await importDataset(ws, { paths: [dir], split: { val: 0.3, test: 0.3, seed: 1 } });
    expect(s.layout).toBe('pre-split');
    const items = await all(ws, s.id);
    for (const it of items.filter((i) => i.status === 'ok')) {
      const given = path.relative(dir, it.path).split(path.sep)[0];
      expect(it.split).toBe(given === 'valid' ? 'val' : given);
    }
    const leak = s.problems.find((p) => p.reason === 'split-leak');
    expect(leak?.path).toBe(path.join(dir, 'test', 'a', 'leaked.png'));
    expect(leak?.message).toContain(path.join(dir, 'train', 'a', '2.png'));
    expect(items.find((i) => i.path === path.join(dir, 'train', 'a', '2.png'))?.status).toBe('ok');
  });

  it('carves val out of train when the layout has no val folder, never touching test', async () => {
    const { dir, ws } = setup();
    for (let i = 0; i < 40; i++) {
      await put(path.join(dir, 'train', 'a', `${i}.png`), await distinct(0, i));
      await put(path.join(dir, 'train', 'b', `${i}.png`), await distinct(1, i));
    }
    for (let i = 0; i < 5; i++) {
      await put(path.join(dir, 'test', 'a', `${i}.png`), await distinct(0, 100 + i));
      await put(path.join(dir, 'test', 'b', `${i}.png`), await distinct(1, 100 + i));
    }
    const s = await importDataset(ws, { paths: [dir], split: { val: 0.25, test: 0.25, seed: 3 } });
    const items = await all(ws, s.id);
    const from = (split: SplitName): string[] => items.filter((i) => i.split === split).map((i) => path.relative(dir, i.path).split(path.sep)[0]!);
    expect(new Set(from('test'))).toEqual(new Set(['test']));
    expect(from('test')).toHaveLength(10);
    expect(new Set(from('val'))).toEqual(new Set(['train']));
    // every class is represented in val; roughly a quarter of train went there
    for (const c of s.classes) expect(c.counts.val).toBeGreaterThan(0);
    expect(from('val').length).toBeGreaterThan(8);
    expect(from('val').length).toBeLessThan(36);
  });
});

describe('layout 3: a CSV or TSV of path,label', () => {
  it('reads labels from a CSV with a header, paths relative to the file, and reports listed files that are missing', async () => {
    const { dir, ws } = setup();
    for (let i = 0; i < 3; i++) {
      await put(path.join(dir, 'images', `x${i}.png`), await distinct(0, i));
      await put(path.join(dir, 'images', `y${i}.png`), await distinct(1, i));
    }
    const rows = ['filename,label', ...[0, 1, 2].map((i) => `images/x${i}.png,cat`), ...[0, 1, 2].map((i) => `"images/y${i}.png",dog`), 'images/gone.png,dog'];
    await put(path.join(dir, 'labels.csv'), rows.join('\n') + '\n');
    const preview = await inspectFolders([path.join(dir, 'labels.csv')]);
    expect(preview).toMatchObject({ layout: 'csv', classes: ['cat', 'dog'], files: 7 });
    const s = await importDataset(ws, { paths: [dir] });
    expect(s.layout).toBe('csv');
    expect(s.classes.map((c) => [c.name, c.counts.train + c.counts.val + c.counts.test])).toEqual([
      ['cat', 3],
      ['dog', 3],
    ]);
    const missing = s.problems.find((p) => p.path === path.join(dir, 'images', 'gone.png'));
    expect(missing?.reason).toBe('unreadable');
    expect(missing?.message).toMatch(/does not exist/);
  });

  it('reads a TSV without header, with an optional split column', async () => {
    const { dir, ws } = setup();
    const lines: string[] = [];
    for (let i = 0; i < 4; i++) {
      await put(path.join(dir, `a${i}.png`), await distinct(0, i));
      await put(path.join(dir, `b${i}.png`), await distinct(1, i));
      lines.push(`a${i}.png\tcat\t${i === 0 ? 'test' : 'train'}`, `b${i}.png\tdog\t${i === 0 ? 'test' : 'train'}`);
    }
    await put(path.join(dir, 'list.tsv'), lines.join('\n'));
    const s = await importDataset(ws, { paths: [path.join(dir, 'list.tsv')] });
    const items = await all(ws, s.id);
    expect(items.filter((i) => i.split === 'test').map((i) => i.name).sort()).toEqual(['a0.png', 'b0.png']);
    expect(s.images).toBe(8);
    rmSync(path.join(dir, 'list.tsv'));
  });
});
