/**
 * The test evaluation reads a split on disk a batch at a time: the Evaluation (confusion matrix, per-class metrics,
 * misclassified images, top-k) and the five-crop test-time accuracy are those of the split loaded into memory, while
 * the pixels held do not grow with the split.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateTestTime } from '../augment/test-time';
import { importDataset, loadSplit } from '../datasets';
import { openSplit, readSplitRows } from '../datasets/split-on-disk';
import { tempDir, tempWorkspace, putGreyClasses, syntheticSplitOnDisk } from '../datasets/test-fixtures';
import { buildModel, preprocessingFor } from '../models';
import { evaluateModel, type ReadRows } from './evaluate';
import { parseTrainConfig } from './train-config';

await tf.setBackend('cpu');

const data = tempDir('evaldisk');
const caches = tempDir('evaldisk-cache');
const work = tempWorkspace();
let datasetId = '';
const input = { size: 8, channels: 1 as const, fit: 'squash' as const };

beforeAll(async () => {
  // Three grey classes, 10 images each, 12 × 12 px; 40 % of them held out for the test.
  await putGreyClasses(data.dir, ['bright', 'dark', 'mid'], 10);
  datasetId = (await importDataset(work.ws, { paths: [data.dir], split: { val: 0.1, test: 0.4, seed: 3 } })).id;
}, 60_000);
afterAll(() => {
  work.cleanup();
  data.cleanup();
  caches.cleanup();
});

const config = () =>
  parseTrainConfig({ datasetId, input, model: { kind: 'mlp' }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 1, batchSize: 4, earlyStopping: { enabled: false } });

describe('test evaluation from a split on disk', () => {
  it('gives the Evaluation and the five-crop accuracy of the split loaded into memory', async () => {
    const cfg = config();
    const model = await buildModel(cfg, 3); // untrained: some images are misclassified
    const pre = preprocessingFor(cfg);
    const disk = await openSplit(work.ws, datasetId, cfg.input, 'test');
    const mem = await loadSplit(work.ws, datasetId, cfg.input, 'test');
    expect(disk.n).toBeGreaterThan(4);
    const paths = (i: number) => `/photos/${i}.png`;
    // Batches of 3: several batches and a partial last one, read one ahead.
    const fromDisk = await evaluateModel(model, disk, pre, { paths, batchSize: 3 });
    const fromMemory = await evaluateModel(model, mem, pre, { paths, batchSize: 3 });
    expect(fromDisk.confusion.flat().reduce((a, b) => a + b, 0)).toBe(mem.n);
    expect(fromDisk.misclassified.length).toBeGreaterThan(0);
    expect(fromDisk).toEqual(fromMemory);
    // The default batch size (one batch here) gives the same numbers too.
    expect(await evaluateModel(model, disk, pre, { paths })).toEqual(await evaluateModel(model, mem, pre, { paths }));

    const ttaDisk = await evaluateTestTime(model, disk, pre, 'five-crop', 0.75, { batchSize: 3 });
    const ttaMemory = await evaluateTestTime(model, mem, pre, 'five-crop', 0.75, { batchSize: 3 });
    expect(ttaDisk.crops).toBe(5);
    expect(ttaDisk).toEqual(ttaMemory);
    model.dispose();
  });

  it('holds at most two batches of pixels, whether the split has 40 images or 400', async () => {
    const cfg = config();
    const model = await buildModel(cfg, 2);
    const pre = preprocessingFor(cfg);
    const B = 8;
    const peaks: { plain: number; tta: number }[] = [];
    for (const n of [40, 400]) {
      const split = syntheticSplitOnDisk(caches.dir, n);
      // Bytes of the decoded-cache reads allocated (from the moment a read starts) and not yet through the model.
      let held = 0;
      let peak = 0;
      let total = 0;
      const read: ReadRows = async (s, picks) => {
        held += picks.length * s.rowBytes;
        peak = Math.max(peak, held);
        const bytes = await readSplitRows(s, picks);
        total += bytes.byteLength;
        return bytes;
      };
      // A batch's pixels are done with once the model has seen them (the first of its views with test-time crops).
      const predict = model.predict.bind(model);
      let calls = 0;
      const views = { n: 1 };
      model.predict = ((x: tf.Tensor) => {
        if (calls++ % views.n === 0) held -= x.shape[0]! * split.rowBytes;
        return predict(x);
      }) as typeof model.predict;

      const ev = await evaluateModel(model, split, pre, { batchSize: B, read });
      expect(total).toBe(n * split.rowBytes); // every image read once
      expect(ev.confusion.flat().reduce((a, b) => a + b, 0)).toBe(n);
      const plain = peak;

      held = peak = total = calls = 0;
      views.n = 5;
      const tta = await evaluateTestTime(model, split, pre, 'five-crop', 0.875, { batchSize: B, read });
      expect(total).toBe(n * split.rowBytes);
      expect(calls).toBe(5 * Math.ceil(n / B));
      model.predict = predict;

      // The same numbers as the whole split read into memory at once.
      const all = { x: await readSplitRows(split, split.rows), y: split.y, index: split.index, n, size: 8, channels: 1 as const, classes: split.classes };
      expect(ev).toEqual(await evaluateModel(model, all, pre, { batchSize: B }));
      expect(tta).toEqual(await evaluateTestTime(model, all, pre, 'five-crop', 0.875, { batchSize: B }));
      peaks.push({ plain, tta: peak });
    }
    // The batch being predicted and the one read ahead; loading the split would hold 40 × 64 and 400 × 64 bytes.
    expect(peaks[0]).toEqual({ plain: 2 * B * 64, tta: 2 * B * 64 });
    expect(peaks[1]).toEqual(peaks[0]);
    model.dispose();
  });
});
