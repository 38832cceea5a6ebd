/**
 * `lab evaluate <run> --dataset <other folder>`: every image of the other dataset, left on disk, labelled with the
 * run's class numbers by name; the pixels read back are those its splits load into memory.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, loadSplit } from '../datasets';
import { readSplitRows } from '../datasets/split-on-disk';
import { image, put, tempDir, tempWorkspace } from '../datasets/test-fixtures';
import { openForeignDataset } from './jobs';

const data = tempDir('foreign');
const work = tempWorkspace();
let datasetId = '';
const input = { size: 6, channels: 1 as const, fit: 'squash' as const };

beforeAll(async () => {
  // Another folder with two of the run's three classes (their order differs from the run's).
  for (let i = 0; i < 6; i++) {
    await put(path.join(data.dir, 'bright', `${i}.png`), await image(8, 8, (x) => [200 + x, 200, 200 - i]));
    await put(path.join(data.dir, 'dark', `${i}.png`), await image(8, 8, (_x, y) => [10 + y, 10 + i, 10]));
  }
  datasetId = (await importDataset(work.ws, { paths: [data.dir], split: { val: 0.2, test: 0.2, seed: 1 } })).id;
}, 60_000);
afterAll(() => {
  work.cleanup();
  data.cleanup();
});

describe('a run evaluated on another dataset', () => {
  it('reads every image of every split, labelled by the run\'s class names', async () => {
    const runClasses = ['dark', 'cat', 'bright'];
    const all = await openForeignDataset(work.ws, datasetId, input, runClasses);
    expect(all.n).toBe(12);
    expect(all.classes).toEqual(runClasses);
    const parts = await Promise.all((['train', 'val', 'test'] as const).map((s) => loadSplit(work.ws, datasetId, input, s)));
    const labels = parts.flatMap((p) => Array.from(p.y, (l) => runClasses.indexOf(p.classes[l]!)));
    expect(Array.from(all.y)).toEqual(labels);
    expect(labels.filter((l) => l === 0)).toHaveLength(6);
    expect(labels.filter((l) => l === 2)).toHaveLength(6);
    expect(Array.from(all.index)).toEqual(parts.flatMap((p) => Array.from(p.index)));
    const pixels = await readSplitRows(all, Int32Array.from({ length: all.n }, (_, i) => i));
    expect(Buffer.from(pixels).equals(Buffer.concat(parts.map((p) => Buffer.from(p.x))))).toBe(true);
  });

  it('refuses a dataset with a class the run does not know', async () => {
    await expect(openForeignDataset(work.ws, datasetId, input, ['bright', 'cat'])).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
