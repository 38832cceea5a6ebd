/**
 * What the augmentation view shows: N augmented versions of chosen images (sharp reference path, PNG data
 * URLs), and the next training batch exactly as the trainer will feed it (batch path, mixup included).
 */
import * as tf from '@tensorflow/tfjs';
import {
  AugmentBatchRequestSchema,
  AugmentPreviewRequestSchema,
  augmentWarnings,
  looksTextLike,
  resolveAugment,
  type AugmentBatchRequest,
  type AugmentPreviewRequest,
} from '../../shared/augment-config';
import type { AugmentBatchPreview, AugmentPreview, AugmentPreviewItem } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { parseOrThrow } from '../../shared/validation';
import { readManifest, type Manifest } from '../datasets/manifest';
import { openSplit, readSplitRows, splitChannelMean } from '../datasets/split-on-disk';
import { decodeForModel } from '../datasets/preprocess';
import { mixSeed, seededPermutation } from '../training/seeded-random';
import type { Workspace } from '../workspace';
import { createBatchAugmenter } from './batch-path';
import { datasetMean } from './dataset-mean';
import { drawMixup, drawParams } from './params';
import { hashSeed, Rng } from './prng';
import { augmentWithSharp, pngDataUrl } from './sharp-path';

/** Decoded originals, so moving a slider re-runs only the augmentation (small LRU). */
const decoded = new Map<string, Promise<Uint8Array>>();
const DECODED_MAX = 128;

function decodeCached(path: string, size: number, channels: 1 | 3): Promise<Uint8Array> {
  const key = `${size}:${channels}:${path}`;
  let job = decoded.get(key);
  if (job) {
    decoded.delete(key);
    decoded.set(key, job); // most recently used last
    return job;
  }
  job = decodeForModel(path, { size, channels, fit: 'squash' });
  job.catch(() => decoded.delete(key));
  decoded.set(key, job);
  while (decoded.size > DECODED_MAX) decoded.delete(decoded.keys().next().value!);
  return job;
}

const usable = (m: Manifest, i: number) => m.items[i]?.status === 'ok';

/** `perClass` random usable images of each class (stable for a given pickSeed), at most 16 in all. */
export function pickPerClass(m: Manifest, perClass: number, pickSeed: number): number[] {
  const byClass = new Map<string, number[]>();
  m.items.forEach((it, i) => {
    if (it.status !== 'ok') return;
    const list = byClass.get(it.className) ?? [];
    list.push(i);
    byClass.set(it.className, list);
  });
  const out: number[] = [];
  for (const [name, list] of [...byClass.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const rng = new Rng(hashSeed(pickSeed, list.length, name.length, name.charCodeAt(0) || 0));
    const perm = rng.permutation(list.length);
    for (let k = 0; k < Math.min(perClass, list.length); k++) out.push(list[perm[k]!]!);
  }
  return out.slice(0, 16);
}

export async function buildPreview(ws: Workspace, request: AugmentPreviewRequest): Promise<AugmentPreview> {
  const t0 = performance.now();
  const req = parseOrThrow(AugmentPreviewRequestSchema, request, 'preview request');
  const m = await readManifest(ws, req.datasetId);
  const indices = req.indices ?? pickPerClass(m, req.perClass, req.pickSeed);
  for (const i of indices) {
    if (!usable(m, i)) throw new LabError('NOT_FOUND', msg('error.augment.unusableImage', { index: i, id: req.datasetId }));
  }
  const settings = resolveAugment(req.config);
  const { size, channels } = req;
  const mean = settings.erasing.enabled && settings.erasing.fill === 'mean' ? await datasetMean(ws, req.datasetId, channels) : undefined;
  const items: AugmentPreviewItem[] = await Promise.all(
    indices.map(async (index) => {
      const it = m.items[index]!;
      const pixels = await decodeCached(it.path, size, channels);
      const versions = await Promise.all(
        Array.from({ length: req.count }, async (_, k) => {
          const epoch = req.epoch + k;
          const params = drawParams(settings, req.seed, epoch, index, { training: !req.testTime });
          const out = await augmentWithSharp(pixels, { width: size, height: size, channels }, params, size, channels, mean ? { mean } : {});
          return { epoch, image: await pngDataUrl(out, size, channels), params };
        }),
      );
      return { index, className: it.className, original: await pngDataUrl(pixels, size, channels), versions };
    }),
  );
  const classNames = m.summary.classes.map((c) => c.name);
  return {
    datasetId: req.datasetId,
    size,
    channels,
    settings,
    warnings: augmentWarnings(settings, { textLike: looksTextLike(classNames) }),
    items,
    elapsedMs: Math.round(performance.now() - t0),
  };
}

// Must match the trainer's shuffle (training/trainer.ts: seededPermutation(n, mixSeed(seed, SHUFFLE_SALT, epoch))).
// A test runs the trainer and checks that this order is the one it feeds the augmenter.
const TRAINER_SHUFFLE_SALT = 0x5f1e;

/** Rows (positions in the train split) of batch `batch` of `epoch`, in the trainer's order. */
export function trainingBatchRows(seed: number, n: number, batchSize: number, epoch: number, batch: number): Int32Array {
  const order = seededPermutation(n, mixSeed(seed, TRAINER_SHUFFLE_SALT, epoch));
  return order.subarray(Math.min(n, batch * batchSize), Math.min(n, (batch + 1) * batchSize));
}

export async function buildBatchPreview(ws: Workspace, request: AugmentBatchRequest): Promise<AugmentBatchPreview> {
  const req = parseOrThrow(AugmentBatchRequestSchema, request, 'batch preview request');
  // The split stays in the decoded cache: only the batch's images are read.
  const train = await openSplit(ws, req.datasetId, req.input, 'train');
  if (train.n === 0) throw new LabError('NO_IMAGES', msg('error.augment.noTrainingImages', { id: req.datasetId }));
  const batchesPerEpoch = Math.ceil(train.n / req.batchSize);
  const batch = req.batch % batchesPerEpoch;
  const rows = trainingBatchRows(req.seed, train.n, req.batchSize, req.epoch, batch);
  const n = rows.length;
  const { size, channels } = req.input;
  const rowBytes = size * size * channels;
  const bytes = await readSplitRows(train, rows);
  const pixels = new Float32Array(n * rowBytes);
  for (let k = 0; k < pixels.length; k++) pixels[k] = bytes[k]! / 255;
  const labels = Int32Array.from(rows, (r) => train.y[r]!);
  const ids = Int32Array.from(rows, (r) => train.index[r] ?? r);
  const settings = resolveAugment(req.config);
  // The trainer fills erased rectangles with the training split's mean: measured a chunk at a time, only when used.
  const fillsWithMean = settings.erasing.enabled && settings.erasing.fill === 'mean';
  const aug = createBatchAugmenter(req.config, req.input, req.seed, fillsWithMean ? { mean: await splitChannelMean(train) } : {});
  const x = tf.tensor4d(pixels, [n, size, size, channels]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), train.classes.length).toFloat() as tf.Tensor2D);
  const out = aug ? aug.apply(x, y, { epoch: req.epoch, imageIds: ids }) : { x: x.clone(), y: y.clone() };
  const xs = await out.x.data();
  const ys = await out.y.data();
  tf.dispose([x, y, out.x, out.y]);
  const k = train.classes.length;
  const shown = Math.min(n, req.limit);
  const items = await Promise.all(
    Array.from({ length: shown }, async (_, i) => {
      const img = new Uint8Array(rowBytes);
      for (let p = 0; p < rowBytes; p++) img[p] = Math.round(Math.min(1, Math.max(0, xs[i * rowBytes + p]!)) * 255);
      const label = Array.from({ length: k }, (_, c) => ({ className: train.classes[c]!, weight: ys[i * k + c]! }))
        .filter((l) => l.weight > 1e-4)
        .sort((a, b) => b.weight - a.weight);
      return { index: ids[i]!, className: train.classes[labels[i]!]!, image: await pngDataUrl(img, size, channels), label };
    }),
  );
  const mix = drawMixup(settings, req.seed, req.epoch, ids); // the same draw the augmenter made
  return {
    epoch: req.epoch,
    batch,
    batchesPerEpoch,
    size,
    channels,
    mixupLambda: mix ? mix.lambda : null,
    items,
    warnings: augmentWarnings(settings, { textLike: looksTextLike(train.classes) }),
  };
}
