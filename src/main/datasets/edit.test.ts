import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary } from '../../shared/dto';
import { editSamples, importDataset, loadSplit, querySamples } from './index';
import { distinct, put, tempDir, tempWorkspace, treeFingerprint } from './test-fixtures';

describe('excluding and relabelling inside the lab', () => {
  const data = tempDir('edit');
  const work = tempWorkspace();
  let s: DatasetSummary;
  let before: Map<string, string>;
  const indexOf = async (file: string): Promise<number> =>
    (await querySamples(work.ws, { datasetId: s.id, search: path.basename(file), offset: 0, limit: 10 })).items.find((i) => i.path === file)!.index;
  const item = async (file: string) => (await querySamples(work.ws, { datasetId: s.id, offset: await indexOf(file), limit: 1 })).items[0]!;
  const total = (sum: DatasetSummary, cls: string): number => {
    const c = sum.classes.find((x) => x.name === cls);
    return c ? c.counts.train + c.counts.val + c.counts.test : 0;
  };

  beforeAll(async () => {
    for (let i = 0; i < 6; i++) {
      await put(path.join(data.dir, 'a', `a${i}.png`), await distinct(0, i));
      await put(path.join(data.dir, 'b', `b${i}.png`), await distinct(1, i));
    }
    await put(path.join(data.dir, 'b', 'same-as-a0.png'), await distinct(0, 0)); // label conflict with a/a0.png
    before = treeFingerprint(data.dir);
    s = await importDataset(work.ws, { paths: [data.dir] });
  });
  afterAll(() => {
    work.cleanup();
    data.cleanup();
  });

  it('excludes an image and takes it back (undo)', async () => {
    const f = path.join(data.dir, 'a', 'a3.png');
    const after = await editSamples(work.ws, s.id, [{ index: await indexOf(f), excluded: true }]);
    expect((await item(f)).status).toBe('excluded');
    expect(total(after, 'a')).toBe(total(s, 'a') - 1);
    const undone = await editSamples(work.ws, s.id, [{ index: await indexOf(f), excluded: false }]);
    expect((await item(f)).status).toBe('ok');
    expect(total(undone, 'a')).toBe(total(s, 'a'));
  });

  it('relabels an image: training labels follow, the folder name is remembered', async () => {
    const f = path.join(data.dir, 'b', 'b5.png');
    const after = await editSamples(work.ws, s.id, [{ index: await indexOf(f), className: 'a' }]);
    const it = await item(f);
    expect(it).toMatchObject({ className: 'a', labelledAs: 'b' });
    expect(total(after, 'a')).toBe(total(s, 'a') + 1);
    const idx = await indexOf(f);
    const arrays = await Promise.all((['train', 'val', 'test'] as const).map((sp) => loadSplit(work.ws, s.id, { size: 8, channels: 1, fit: 'squash' }, sp)));
    const where = arrays.map((a) => Array.from(a.index).indexOf(idx));
    const k = where.findIndex((w) => w >= 0);
    expect(arrays[k]!.classes[arrays[k]!.y[where[k]!]!]).toBe('a');
  });

  it('resolves a label conflict by relabelling the wrong copy (it becomes a plain duplicate)', async () => {
    const copy = path.join(data.dir, 'b', 'same-as-a0.png');
    expect(s.problems.filter((p) => p.reason === 'label-conflict')).toHaveLength(2);
    const after = await editSamples(work.ws, s.id, [{ index: await indexOf(copy), className: 'a' }]);
    expect(after.problems.filter((p) => p.reason === 'label-conflict')).toHaveLength(0);
    expect(after.problems.find((p) => p.path === copy)?.reason).toBe('duplicate');
    expect((await item(path.join(data.dir, 'a', 'a0.png'))).status).toBe('ok');
  });

  it('keeps edits through a re-import', async () => {
    const again = await importDataset(work.ws, { paths: [data.dir] });
    expect((await item(path.join(data.dir, 'b', 'b5.png'))).className).toBe('a');
    expect(total(again, 'b')).toBe(5);
  });

  it('refuses an edit that would leave a single class, and changes nothing', async () => {
    const bs = (await querySamples(work.ws, { datasetId: s.id, className: 'b', offset: 0, limit: 100 })).items;
    const err = await editSamples(work.ws, s.id, bs.map((i) => ({ index: i.index, className: 'a' }))).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TOO_FEW_CLASSES' });
    expect((await querySamples(work.ws, { datasetId: s.id, className: 'b', offset: 0, limit: 100 })).total).toBe(bs.length);
  });

  it('never touches the user folder', () => {
    expect(treeFingerprint(data.dir)).toEqual(before);
  });
});
