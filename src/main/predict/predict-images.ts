/**
 * Classify image files with a model: the same preprocessing as the training cache (decodeForModel), optional
 * test-time five-crop averaging, top-k per image. A file that cannot be read gets its own error; the rest go on.
 * Decoding (sharp's threads) overlaps with inference: decoded images queue for the model, which takes them
 * in batches (InferenceQueue).
 */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Prediction, Preprocessing } from '../../shared/dto';
import { LabError, toLabErrorData } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { decodeForModel } from '../datasets/preprocess';
import { normalizationOf } from '../export/preprocessing-doc';
import { expandImagePaths } from './expand-paths';
import { fastestForward, type BatchForward } from './batch-forward';
import { InferenceQueue } from './inference-queue';

export interface PredictOptions {
  topK: number;
  /** Average over the four corner crops + the centre crop (the document's test-time method). */
  multiCrop?: boolean;
  /** Attach the preprocessed input (what the model saw) as a PNG data URL. */
  preview?: boolean;
  batchSize?: number;
  /** Stops between images with a CANCELLED error. */
  signal?: AbortSignal;
  /** Images finished (classified or failed) out of the total, after each one. */
  onProgress?: (done: number, total: number) => void;
  /** How batches are run (default: the fastest engine available for this model). */
  forward?: BatchForward;
}

async function previewDataUrl(pixels: Uint8Array, pre: Preprocessing): Promise<string> {
  const { size, channels } = pre.input;
  const png = await sharp(pixels, { raw: { width: size, height: size, channels } }).png().toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}

function topK(probs: Float32Array, labels: string[], k: number): Prediction['top'] {
  return Array.from(probs, (probability, i) => ({ label: labels[i] ?? `class ${i}`, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, Math.max(1, Math.min(k, probs.length)));
}

/** Normalised input batch from decoded uint8 images. */
export function toInputTensor(images: Uint8Array[], pre: Preprocessing): tf.Tensor4D {
  const { size, channels } = pre.input;
  const per = size * size * channels;
  const flat = new Float32Array(images.length * per);
  images.forEach((img, i) => flat.set(img, i * per));
  const { scale, offset } = normalizationOf(pre.normalization);
  return tf.tidy(() => tf.tensor4d(flat, [images.length, size, size, channels]).mul(scale).add(offset));
}

export async function predictImages(model: tf.LayersModel, labels: string[], preprocessing: Preprocessing, paths: string[], opts: PredictOptions): Promise<Prediction[]> {
  const targets = await expandImagePaths(paths);
  const results: Prediction[] = targets.map((t) => ({ path: t.path, top: [], ...(t.error ? { error: t.error } : {}) }));
  const todo = results.filter((r) => !r.error);
  const batchSize = opts.batchSize ?? 64;
  const forward = opts.forward ?? (await fastestForward(model, preprocessing, opts.multiCrop));
  let next = 0;
  let decoding = 0;
  let done = 0;
  const total = todo.length;
  let stopped = false;
  // Full batches: a partial one runs only once every image has been decoded (or the run stops).
  const queue = new InferenceQueue(forward, preprocessing, { maxBatch: batchSize, lingerMs: Infinity, moreComing: () => !stopped && (decoding > 0 || next < todo.length) });
  const inferring: Promise<void>[] = [];
  opts.onProgress?.(0, total);
  // One batch of images decoding at a time (sharp's threads); a decoded image goes to the queue and the decoder moves
  // on without waiting for the model, held back only when more than two batches are already waiting.
  const decoders = Math.max(1, Math.min(total, Math.max(batchSize, 16)));
  const finish = (): void => opts.onProgress?.(++done, total);
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      if (opts.signal?.aborted) throw new LabError('CANCELLED', msg('error.predict.cancelled', { done, total }), { done, total });
      const pred = todo[next++];
      decoding++;
      try {
        const pixels = await decodeForModel(pred.path, preprocessing.input);
        // Queued before `decoding` drops, so the queue never takes this image's batch without it.
        inferring.push(
          queue
            .run(pixels)
            .then(async (row) => {
              pred.top = topK(row, labels, opts.topK);
              pred.probabilities = Array.from(row);
              if (opts.preview) pred.preview = await previewDataUrl(pixels, preprocessing);
            })
            .catch((err: unknown) => {
              pred.error = toLabErrorData(err);
            })
            .finally(finish),
        );
      } catch (err) {
        pred.error = toLabErrorData(err);
        finish();
      } finally {
        decoding--;
        queue.poke();
      }
      await queue.below(batchSize * 2);
    }
  };
  try {
    await Promise.all(Array.from({ length: decoders }, worker));
  } finally {
    stopped = true;
    queue.poke();
    await Promise.all(inferring);
  }
  return results;
}
