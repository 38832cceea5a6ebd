/**
 * Validation and the embedding cache read a split on disk a batch at a time: the validation pass gives the loss and
 * accuracy of the whole split in memory, while the pixels it holds do not grow with the split; a run whose splits
 * stay on disk (run-splits.ts) reports the same validation curve; embeddings computed from disk equal those from
 * memory.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, loadSplit } from '../datasets';
import { openSplit, readSplitRows, type SplitOnDisk } from '../datasets/split-on-disk';
import { tempDir, tempWorkspace, putGreyClasses, syntheticSplitOnDisk } from '../datasets/test-fixtures';
import { buildModel, preprocessingFor, splitTransferModel } from '../models';
import { lossAndAccuracy, predictProbabilities } from './evaluate';
import { embeddingKey, embeddingsFor } from './embedding-cache';
import { prepareEmbeddingRun } from './embedding-training';
import { openRunSplits } from './run-splits';
import { streamedValidation } from './streamed-validation';
import { parseTrainConfig } from './train-config';
import { trainRun } from './trainer';

await tf.setBackend('cpu');

const data = tempDir('streamval');
const caches = tempDir('streamval-cache');
const work = tempWorkspace();
let datasetId = '';
const input = { size: 8, channels: 1 as const, fit: 'squash' as const };

beforeAll(async () => {
  // Two grey classes, 15 images each, 12 × 12 px (bright with a ramp, dark with stripes).
  await putGreyClasses(data.dir, ['bright', 'dark'], 15);
  datasetId = (await importDataset(work.ws, { paths: [data.dir], split: { val: 0.3, test: 0.1, seed: 5 } })).id;
}, 60_000);
afterAll(() => {
  work.cleanup();
  data.cleanup();
  caches.cleanup();
});

const quiet = { onBatch: () => {}, onEpoch: () => {}, onLog: () => {} };
const config = (over: Record<string, unknown> = {}) =>
  parseTrainConfig({ datasetId, input, model: { kind: 'mlp' }, optimizer: { name: 'adam', lr: 0.01 }, epochs: 3, batchSize: 4, earlyStopping: { enabled: false }, ...over });

describe('validation streamed from disk', () => {
  it('gives the loss and accuracy of the split predicted from memory', async () => {
    const cfg = config();
    const model = await buildModel(cfg, 2);
    const pre = preprocessingFor(cfg);
    const disk = await openSplit(work.ws, datasetId, cfg.input, 'val');
    const mem = await loadSplit(work.ws, datasetId, cfg.input, 'val');
    expect(disk.n).toBeGreaterThan(4);
    const want = lossAndAccuracy(await predictProbabilities(model, mem, pre), mem.y, 2);
    // Batches of 3: several batches and a partial last one.
    const got = await streamedValidation(disk, pre, 2, { batchSize: 3 })(model);
    expect(got.loss).toBeCloseTo(want.loss, 6);
    expect(got.accuracy).toBe(want.accuracy);
    model.dispose();
  });

  it('holds at most two batches of pixels, whether the split has 40 images or 400', async () => {
    const cfg = config();
    const model = await buildModel(cfg, 2);
    const pre = preprocessingFor(cfg);
    const B = 8;
    const peaks: number[] = [];
    for (const n of [40, 400]) {
      const split = syntheticSplitOnDisk(caches.dir, n);
      // Bytes of the decoded-cache reads allocated (from the moment a read starts) and not yet through the model.
      let held = 0;
      let peak = 0;
      let total = 0;
      const read = async (s: SplitOnDisk, picks: Int32Array): Promise<Uint8Array> => {
        held += picks.length * s.rowBytes;
        peak = Math.max(peak, held);
        const bytes = await readSplitRows(s, picks);
        expect(bytes.byteLength).toBe(picks.length * s.rowBytes);
        total += bytes.byteLength;
        return bytes;
      };
      const predict = model.predict.bind(model);
      model.predict = ((x: tf.Tensor) => {
        held -= x.shape[0]! * split.rowBytes;
        return predict(x);
      }) as typeof model.predict;
      const got = await streamedValidation(split, pre, 2, { batchSize: B, read })(model);
      model.predict = predict;
      // Every image was read once, and the result is that of the whole split in memory.
      expect(total).toBe(n * split.rowBytes);
      const all = { x: await readSplitRows(split, split.rows), y: split.y, index: split.index, n, size: 8, channels: 1 as const, classes: split.classes };
      const want = lossAndAccuracy(await predictProbabilities(model, all, pre), split.y, 2);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expect(got.accuracy).toBeCloseTo(want.accuracy, 10);
      peaks.push(peak);
    }
    // The batch being predicted and the one read ahead; loading the split would hold 40 × 64 and 400 × 64 bytes.
    expect(peaks[0]).toBe(2 * B * 64);
    expect(peaks[1]).toBe(peaks[0]);
    model.dispose();
  });

  it('a run whose splits stay on disk reports the validation curve of one loaded into memory', async () => {
    const cfg = config();
    // Allowance 0: every split is "too big", so the training batches and the validation are streamed.
    const onDisk = await openRunSplits(work.ws, cfg, { hasVal: true, allowance: 0 });
    expect(onDisk.stream).not.toBeNull();
    expect(onDisk.validate).not.toBeNull();
    expect(onDisk.train.x.length + onDisk.val!.x.length).toBe(0); // no pixels in memory
    const inMemory = await openRunSplits(work.ws, cfg, { hasVal: true });
    expect(inMemory.stream).toBeNull();
    expect(inMemory.validate).toBeNull();
    expect(inMemory.val!.x.length).toBe(inMemory.val!.n * 64);

    const curve = async (s: typeof onDisk, dir: string) => {
      const epochs: (number | null)[] = [];
      await trainRun({
        config: cfg, train: s.train, val: s.val, runDir: work.ws.runDir(dir),
        ...(s.stream ? { stream: s.stream } : {}), ...(s.validate ? { validate: s.validate } : {}),
        hooks: { ...quiet, onEpoch: (e) => epochs.push(e.valLoss, e.valAccuracy) },
      });
      return epochs;
    };
    const a = await curve(onDisk, 'disk');
    const b = await curve(inMemory, 'memory');
    expect(a).toHaveLength(6);
    a.forEach((v, i) => expect(v!).toBeCloseTo(b[i]!, 5));
  });
});

describe('embedding cache from splits on disk', () => {
  const transfer = () =>
    config({ input: { size: 32, channels: 3 }, model: { kind: 'transfer', headDropout: 0, dense: [{ units: 4, dropout: 0 }] }, epochs: 2 });

  it('a frozen-backbone run keeps both splits on disk and computes the embeddings it would from memory', async () => {
    const cfg = transfer();
    const splits = await openRunSplits(work.ws, cfg, { hasVal: true });
    expect(splits.cachesEmbeddings).toBe(true);
    expect(splits.train.x.length + splits.val!.x.length).toBe(0);
    const run = await prepareEmbeddingRun({ ws: work.ws, config: cfg, train: splits.onDisk.train, val: splits.onDisk.val, log: () => {} });
    expect(run.computed).toBe(splits.train.n + splits.val!.n);

    // The same vectors as the backbone run on the splits loaded into memory (a fresh cache key).
    const pre = preprocessingFor(cfg);
    const whole = await buildModel(cfg, 2);
    const { features } = splitTransferModel(whole, cfg.model as Extract<typeof cfg.model, { kind: 'transfer' }>, 2);
    const key = await embeddingKey(cfg, pre);
    const fromDisk = await embeddingsFor(work.ws, datasetId, key, features, pre, [splits.onDisk.train, splits.onDisk.val!]);
    expect(fromDisk.computed).toBe(0);
    const mem = [await loadSplit(work.ws, datasetId, cfg.input, 'train'), await loadSplit(work.ws, datasetId, cfg.input, 'val')];
    const fresh = await embeddingsFor(work.ws, datasetId, `${key}-memory`, features, pre, mem, { batchSize: 5 });
    expect(fresh.computed).toBe(mem[0]!.n + mem[1]!.n);
    fresh.sets.forEach((set, s) => {
      expect(set.length).toBe(fromDisk.sets[s]!.length);
      for (let i = 0; i < set.length; i++) expect(set[i]!).toBeCloseTo(fromDisk.sets[s]![i]!, 5);
    });
    whole.dispose();
  }, 120_000);
});
