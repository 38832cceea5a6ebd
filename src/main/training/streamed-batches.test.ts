/**
 * Training batches streamed from the decoded cache on disk: the same batches, in the same seeded order, as the
 * in-memory source (so a run learns exactly the same weights), while only the batch being trained and the read-ahead
 * are ever held, however many batches the split has.
 */
import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, loadSplit } from '../datasets';
import { labelsOnly, openSplit, readSplitRows, splitChannelMean, streamAboveBytes } from '../datasets/split-on-disk';
import { channelMean } from '../augment';
import { image, put, tempDir, tempWorkspace } from '../datasets/test-fixtures';
import { ImageBatches, StreamedImageBatches } from './batch-source';
import { parseTrainConfig } from './train-config';
import { trainRun } from './trainer';

await tf.setBackend('cpu');

const data = tempDir('stream');
const work = tempWorkspace();
let datasetId = '';
const input = { size: 8, channels: 1 as const, fit: 'squash' as const };

beforeAll(async () => {
  // Three classes of unequal size (imbalance: oversampling must pick the same rows too), 12 × 8 px grey images each.
  const counts = { bright: 30, dark: 20, striped: 10 };
  for (const [cls, count] of Object.entries(counts)) {
    for (let i = 0; i < count; i++) {
      const px = (x: number, y: number): [number, number, number] => {
        const v = cls === 'bright' ? 180 + ((x + i) % 60) : cls === 'dark' ? (y * 7 + i) % 60 : (x + y + i) % 2 ? 250 : 10;
        return [v, v, v];
      };
      await put(path.join(data.dir, cls, `${i}.png`), await image(12, 12, px));
    }
  }
  datasetId = (await importDataset(work.ws, { paths: [data.dir], split: { val: 0.1, test: 0.1, seed: 3 } })).id;
}, 60_000);
afterAll(() => {
  work.cleanup();
  data.cleanup();
});

const config = (over: Record<string, unknown> = {}) =>
  parseTrainConfig({ datasetId, input, model: { kind: 'mlp' }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 3, batchSize: 4, earlyStopping: { enabled: false }, ...over });

describe('streamed training batches', () => {
  it('lists the same images as loadSplit and reads their pixels from disk in any order', async () => {
    const cfg = config();
    const mem = await loadSplit(work.ws, datasetId, cfg.input, 'train');
    const disk = await openSplit(work.ws, datasetId, cfg.input, 'train');
    expect(disk.n).toBe(mem.n);
    expect([...disk.y]).toEqual([...mem.y]);
    expect([...disk.index]).toEqual([...mem.index]);
    const picks = [5, 0, 1, 2, mem.n - 1, 3];
    const got = await readSplitRows(disk, picks);
    const rb = disk.rowBytes;
    picks.forEach((p, i) => expect([...got.subarray(i * rb, (i + 1) * rb)]).toEqual([...mem.x.subarray(p * rb, (p + 1) * rb)]));
    const mean = await splitChannelMean(disk);
    channelMean(mem).forEach((m, c) => expect(mean[c]).toBeCloseTo(m, 9));
  });

  it('streams a split above LAB_STREAM_ABOVE_MB (default: a quarter of memory)', () => {
    expect(streamAboveBytes({ LAB_STREAM_ABOVE_MB: '0' })).toBe(0);
    expect(streamAboveBytes({ LAB_STREAM_ABOVE_MB: '1.5' })).toBe(1.5 * 2 ** 20);
    expect(streamAboveBytes({})).toBeGreaterThan(0);
  });

  for (const balance of ['none', 'oversample'] as const) {
    it(`gives the in-memory source's batches, in its seeded order, holding at most the read-ahead (balance ${balance})`, async () => {
      const cfg = config({ balance });
      const mem = await loadSplit(work.ws, datasetId, cfg.input, 'train');
      const disk = await openSplit(work.ws, datasetId, cfg.input, 'train');
      const a = new ImageBatches(mem, cfg, 'unit', false);
      const b = new StreamedImageBatches(disk, cfg, 'unit', false, undefined, 2);
      expect(b.batchesPerEpoch).toBe(a.batchesPerEpoch);
      expect(b.batchesPerEpoch).toBeGreaterThan(8);
      for (const epoch of [0, 1]) {
        a.beginEpoch(epoch);
        b.beginEpoch(epoch);
        for (let k = 0; k < a.batchesPerEpoch; k++) {
          const x = await a.batch(k);
          const y = await b.batch(k);
          expect(y.n).toBe(x.n);
          expect([...(await y.x.data())]).toEqual([...(await x.x.data())]);
          expect([...(await y.y.data())]).toEqual([...(await x.y.data())]);
          for (const t of [x.x, x.y, y.x, y.y]) t.dispose();
        }
      }
      // The current batch and two read ahead, never the split.
      expect(b.maxHeld).toBe(3);
    });
  }

  it('a run trained from disk learns the same weights as one trained from memory', async () => {
    const cfg = config();
    const quiet = { onBatch: () => {}, onEpoch: () => {}, onLog: () => {} };
    const mem = await loadSplit(work.ws, datasetId, cfg.input, 'train');
    const val = await loadSplit(work.ws, datasetId, cfg.input, 'val');
    const disk = await openSplit(work.ws, datasetId, cfg.input, 'train');
    const source = new StreamedImageBatches(disk, cfg, 'unit', false, undefined, 1);
    // The training array carries labels only: its pixels are never read into memory.
    const fromDisk = await trainRun({ config: cfg, train: labelsOnly(disk), val, runDir: work.ws.runDir('disk'), source, hooks: quiet });
    // The same through the trainer's own streamed source (as the worker does above LAB_STREAM_ABOVE_MB).
    const streamed = await trainRun({ config: cfg, train: labelsOnly(disk), val, runDir: work.ws.runDir('stream'), stream: disk, hooks: quiet });
    const fromMemory = await trainRun({ config: cfg, train: mem, val, runDir: work.ws.runDir('mem'), hooks: quiet });
    const wa = fromDisk.model.getWeights();
    const wb = fromMemory.model.getWeights();
    expect(wa.length).toBe(wb.length);
    const wc = streamed.model.getWeights();
    for (let i = 0; i < wa.length; i++) {
      expect([...(await wa[i]!.data())]).toEqual([...(await wb[i]!.data())]);
      expect([...(await wc[i]!.data())]).toEqual([...(await wb[i]!.data())]);
    }
    expect(source.maxHeld).toBeLessThanOrEqual(2);
  });
});
