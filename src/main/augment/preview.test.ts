import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AugmentBatchRequestSchema, resolveAugment } from '../../shared/augment-config';
import { importDataset } from '../datasets/import';
import { decodeForModel } from '../datasets/preprocess';
import { augmentHandlers } from '../service/handlers/augment';
import { syntheticImages } from '../training/synthetic-data';
import { parseTrainConfig } from '../training/train-config';
import { trainRun } from '../training/trainer';
import { openWorkspace } from '../workspace';
import type { BatchAugmenter } from './batch-augmenter';
import { loadSplit } from '../datasets/pixel-cache';
import { resetReads } from '../datasets/test-support/read-counter';
import { createBatchAugmenter } from './batch-path';
import { channelMean, datasetMean } from './dataset-mean';
import { drawParams } from './params';
import { buildBatchPreview, trainingBatchRows } from './preview';
import { augmentWithSharp } from './sharp-path';

// What is read from the decoded cache: images per call of the batch reader, and whole-split loads.
const reads = vi.hoisted(() => ({ rowsPerRead: [] as number[], wholeLoads: 0 }));
vi.mock('../datasets/split-on-disk', async (orig) => (await import('../datasets/test-support/read-counter')).countingReader(await orig(), reads));
vi.mock('../datasets/pixel-cache', async (orig) => (await import('../datasets/test-support/read-counter')).countingLoader(await orig(), reads));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));

async function pngPixels(dataUrl: string): Promise<Uint8Array> {
  expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true);
  const { data } = await sharp(Buffer.from(dataUrl.slice(22), 'base64')).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}

/** Two classes named like digits ("6" and "9"), 5 small pictures each. */
async function digitDataset(): Promise<{ root: string; ws: ReturnType<typeof openWorkspace>; id: string }> {
  const root = tmp('aug-ds-');
  for (const [cls, colour] of [['6', { r: 200, g: 40, b: 40 }], ['9', { r: 40, g: 40, b: 200 }]] as const) {
    mkdirSync(path.join(root, cls));
    for (let i = 0; i < 5; i++) {
      const px = Buffer.alloc(12 * 12 * 3);
      for (let k = 0; k < 144; k++) px.set([(colour.r + k * 7 + i * 13) % 256, (colour.g + k * 3) % 256, colour.b], k * 3);
      await sharp(px, { raw: { width: 12, height: 12, channels: 3 } }).png().toFile(path.join(root, cls, `img${i}.png`));
    }
  }
  const ws = openWorkspace(tmp('aug-home-'));
  const summary = await importDataset(ws, { paths: [root], split: { val: 0.2, test: 0, seed: 1 } });
  return { root, ws, id: summary.id };
}

describe('the next training batch', () => {
  it('is the batch the trainer feeds the augmenter (same shuffle, same image ids)', async () => {
    const train = syntheticImages({ n: 20, size: 8, channels: 1, seed: 3 });
    const seen: string[] = [];
    const recorder: BatchAugmenter = {
      apply: (x, y, ctx) => {
        seen.push(`${ctx.epoch}:${Array.from(ctx.imageIds).join(',')}`);
        return { x: x.clone(), y: y.clone() };
      },
    };
    const config = parseTrainConfig({ datasetId: 'd', input: { size: 8, channels: 1 }, model: { kind: 'mlp', hidden: [{ units: 4 }] }, epochs: 2, batchSize: 6, seed: 77, earlyStopping: { enabled: false } });
    await trainRun({ config, train, val: null, runDir: tmp('aug-run-'), hooks: { onBatch: () => {}, onEpoch: () => {}, onLog: () => {} }, augmenter: recorder });
    const expected: string[] = [];
    for (let epoch = 0; epoch < 2; epoch++)
      for (let b = 0; b < 4; b++) expected.push(`${epoch}:${Array.from(trainingBatchRows(77, 20, 6, epoch, b), (r) => train.index[r]).join(',')}`);
    expect(seen).toEqual(expected);
  });
});

describe('augment handlers', () => {
  it('list every preset with its parameters, preview deterministically with warnings, show the batch, write copies', async () => {
    const { root, ws, id } = await digitDataset();
    const h = augmentHandlers({ ws, emit: () => {}, shell: 'cli', version: 'test' });

    const presets = await h['augment.presets']();
    expect(presets.map((p) => p.name)).toEqual(['none', 'light', 'standard', 'strong']);
    expect(presets[2]!.settings.scaleCrop.scale).toEqual([1, 1.15]);

    const req = { datasetId: id, config: { preset: 'strong' as const, vflip: { enabled: true } }, perClass: 1, pickSeed: 0, count: 4, size: 16, channels: 3 as const, seed: 5, epoch: 0, testTime: false };
    const a = await h['augment.preview'](req);
    expect(a.items).toHaveLength(2);
    expect(a.items.map((i) => i.className).sort()).toEqual(['6', '9']);
    expect(a.warnings.map((w) => w.key)).toEqual(['vflip-text']);
    const item = a.items[0]!;
    expect(item.versions.map((v) => v.epoch)).toEqual([0, 1, 2, 3]);
    // each version is the sharp path applied to the decoded image with the parameters drawn for (seed, epoch, image)
    const it0 = (await import('../datasets/manifest')).readManifest(ws, id);
    const original = await decodeForModel((await it0).items[item.index]!.path, { size: 16, channels: 3, fit: 'squash' });
    expect(await pngPixels(item.original)).toEqual(original);
    for (const v of item.versions) {
      expect(v.params).toEqual(drawParams(resolveAugment(req.config), 5, v.epoch, item.index));
      expect(await pngPixels(v.image)).toEqual(await augmentWithSharp(original, { width: 16, height: 16, channels: 3 }, v.params, 16, 3));
    }
    const images = await Promise.all(item.versions.map((v) => pngPixels(v.image)));
    expect(new Set(images.map((x) => Buffer.from(x).toString('hex'))).size).toBeGreaterThan(1);
    const again = await h['augment.preview'](req);
    expect(again.items.map((i) => i.versions.map((v) => v.image))).toEqual(a.items.map((i) => i.versions.map((v) => v.image)));
    const testTime = await h['augment.preview']({ ...req, config: { preset: 'none', erasing: { enabled: true, p: 1 } }, testTime: true });
    expect(testTime.items.every((i) => i.versions.every((v) => v.params.erase === null))).toBe(true);
    await expect(h['augment.preview']({ ...req, config: { preset: 'strong', color: { hue: 2 } } })).rejects.toThrow(/color\.hue/);
    // erasing with the dataset mean fills the rectangle with the training split's mean colour
    const meanPreview = await h['augment.preview']({ ...req, config: { preset: 'none', erasing: { enabled: true, p: 1, fill: 'mean', area: [0.25, 0.25], aspect: [1, 1] } }, count: 1 });
    const mean = channelMean(await loadSplit(ws, id, { size: 32, channels: 3, fit: 'squash' }, 'train'));
    const v0 = meanPreview.items[0]!.versions[0]!;
    const er = v0.params.erase!;
    const px = await pngPixels(v0.image);
    const cx = Math.round(er.cx * 16);
    const cy = Math.round(er.cy * 16);
    for (let c = 0; c < 3; c++) expect(Math.abs(px[(cy * 16 + cx) * 3 + c]! - mean[c]! * 255)).toBeLessThanOrEqual(1);
    await expect(h['augment.preview']({ ...req, indices: [999] })).rejects.toThrow(/999/);

    const batch = await h['augment.batch']({ datasetId: id, config: { preset: 'strong' }, input: { size: 8, channels: 3, fit: 'squash' }, seed: 3, batchSize: 4, epoch: 1, batch: 0, limit: 4 });
    expect(batch.items).toHaveLength(4);
    expect(batch.mixupLambda).not.toBeNull();
    for (const it of batch.items) {
      expect(it.label.reduce((s, l) => s + l.weight, 0)).toBeCloseTo(1, 4);
      expect((await pngPixels(it.image)).length).toBe(8 * 8 * 3);
    }
    const plain = await h['augment.batch']({ datasetId: id, config: { preset: 'none' }, input: { size: 8, channels: 3, fit: 'squash' }, seed: 3, batchSize: 4, epoch: 1, batch: 0, limit: 4 });
    expect(plain.items.map((i) => i.index)).toEqual(batch.items.map((i) => i.index));
    expect(plain.items.every((i) => i.label.length === 1 && i.label[0]!.className === i.className)).toBe(true);

    const out = path.join(tmp('aug-out-'), 'copies');
    const written = await h['augment.writeCopies']({ datasetId: id, config: { preset: 'standard' }, outDir: out, copies: 2, size: 16, channels: 3, seed: 1, split: 'all' });
    expect(written).toEqual({ dir: out, files: 20, images: 10 });
    expect(readdirSync(path.join(out, '6'))).toHaveLength(10);
    const meta = await sharp(path.join(out, '9', readdirSync(path.join(out, '9'))[0]!)).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([16, 16, 'png']);
    await expect(h['augment.writeCopies']({ datasetId: id, config: { preset: 'standard' }, outDir: path.join(root, '6', 'aug'), copies: 1, size: 16, channels: 3, seed: 1, split: 'all' })).rejects.toThrow(/outDir: .*never writes into your image folders/);
    expect(existsSync(path.join(root, '6', 'aug'))).toBe(false);
  });
});

describe('reading only what is shown', () => {
  it('the batch preview reads only the batch from the decoded cache and shows the pixels the whole split in memory gave', async () => {
    const { ws, id } = await digitDataset();
    // Erasing every image with the mean colour, so the training split's mean shows in the pixels.
    const req = AugmentBatchRequestSchema.parse({
      datasetId: id,
      config: { preset: 'light', erasing: { enabled: true, p: 1, fill: 'mean', area: [0.2, 0.3], aspect: [1, 1] } },
      input: { size: 8, channels: 3, fit: 'squash' },
      seed: 3,
      batchSize: 3,
      epoch: 1,
      batch: 1,
      limit: 3,
    });
    await loadSplit(ws, id, req.input, 'train'); // the cache exists, as after an import
    resetReads(reads);
    const got = await buildBatchPreview(ws, req);
    expect(reads.wholeLoads).toBe(0);
    expect(reads.rowsPerRead).toEqual([3]); // the batch's images, not the 8 of the split

    // As it was computed before: the whole split loaded, the batch's rows gathered, its mean from the array.
    const train = await loadSplit(ws, id, req.input, 'train');
    expect(train.n).toBeGreaterThan(3);
    const rows = trainingBatchRows(req.seed, train.n, req.batchSize, req.epoch, req.batch);
    const per = 8 * 8 * 3;
    const x = tf.tensor4d(Float32Array.from(Array.from(rows).flatMap((r) => Array.from(train.x.subarray(r * per, (r + 1) * per), (v) => v / 255))), [rows.length, 8, 8, 3]);
    const y = tf.oneHot(tf.tensor1d(Array.from(rows, (r) => train.y[r]!), 'int32'), 2).toFloat() as tf.Tensor2D;
    const aug = createBatchAugmenter(req.config, req.input, req.seed, { mean: channelMean(train) })!;
    const out = aug.apply(x, y, { epoch: req.epoch, imageIds: Int32Array.from(rows, (r) => train.index[r]!) });
    const want = await out.x.data();
    expect(got.items.map((i) => i.index)).toEqual(Array.from(rows, (r) => train.index[r]!));
    for (let i = 0; i < got.items.length; i++) {
      const px = await pngPixels(got.items[i]!.image);
      for (let p = 0; p < per; p++) expect(px[p]).toBe(Math.round(Math.min(1, Math.max(0, want[i * per + p]!)) * 255));
    }
    tf.dispose([x, y, out.x, out.y]);
  });

  it('the dataset mean is the mean of the whole split in memory, read without loading the split', async () => {
    const { ws, id } = await digitDataset();
    for (const channels of [3, 1] as const) {
      resetReads(reads);
      const got = await datasetMean(ws, id, channels);
      expect(reads.wholeLoads).toBe(0);
      const want = channelMean(await loadSplit(ws, id, { size: 32, channels, fit: 'squash' }, 'train'));
      expect(got).toHaveLength(channels);
      got.forEach((v, c) => expect(Math.abs(v - want[c]!)).toBeLessThan(1e-6));
    }
  });
});
