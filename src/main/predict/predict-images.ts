/**
 * Classify image files with a model: the same preprocessing as the training cache (decodeForModel), optional
 * test-time five-crop averaging, top-k per image. A file that cannot be read gets its own error; the rest go on.
 */
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import type { Prediction, Preprocessing } from '../../shared/dto';
import { toLabErrorData } from '../../shared/errors';
import { predictTestTime } from '../augment/test-time';
import { decodeForModel } from '../datasets/preprocess';
import { normalizationOf } from '../export/preprocessing-doc';
import { expandImagePaths } from './expand-paths';

export interface PredictOptions {
  topK: number;
  /** Average over the four corner crops + the centre crop (the document's test-time method). */
  multiCrop?: boolean;
  /** Attach the preprocessed input (what the model saw) as a PNG data URL. */
  preview?: boolean;
  batchSize?: number;
  signal?: AbortSignal;
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
  const batchSize = opts.batchSize ?? 32;
  for (let start = 0; start < todo.length; start += batchSize) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    // Decode the batch concurrently (sharp works on its own threads); keep the input order.
    const decoded = await Promise.all(
      todo.slice(start, start + batchSize).map(async (pred) => {
        try {
          return { pred, pixels: await decodeForModel(pred.path, preprocessing.input) };
        } catch (err) {
          pred.error = toLabErrorData(err);
          return null;
        }
      }),
    );
    const batch = decoded.filter((b): b is { pred: Prediction; pixels: Uint8Array } => b !== null);
    if (!batch.length) continue;
    const x = toInputTensor(batch.map((b) => b.pixels), preprocessing);
    const y = opts.multiCrop ? predictTestTime((v) => model.predict(v) as tf.Tensor2D, x, 'five-crop') : (model.predict(x) as tf.Tensor);
    const probs = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    const classes = probs.length / batch.length;
    for (const [i, { pred, pixels }] of batch.entries()) {
      const row = probs.slice(i * classes, (i + 1) * classes);
      pred.top = topK(row, labels, opts.topK);
      pred.probabilities = Array.from(row);
      if (opts.preview) pred.preview = await previewDataUrl(pixels, preprocessing);
    }
  }
  return results;
}
