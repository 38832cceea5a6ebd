import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../shared/dto';
import type { SplitPixels } from '../datasets/split-on-disk';
import { lossAndAccuracy, pixelBatches, type ReadRows } from '../training/evaluate';
import { normalizeUnitTensor, toInputTensor } from '../training/input';

/**
 * Test-time views (the document's test method): the image as is (already resized to the input size),
 * the centre crop, or the four corners + centre, each resized back to the input size. Nothing random
 * happens at test time: no erasing, no jitter.
 */
export type TestTimeMode = 'none' | 'center' | 'five-crop';

/** Crop boxes (pixel offsets) of side round(fraction·size). */
export function testTimeBoxes(size: number, mode: TestTimeMode, cropFraction: number): { x0: number; y0: number; side: number }[] {
  if (mode === 'none') return [{ x0: 0, y0: 0, side: size }];
  if (!(cropFraction > 0 && cropFraction <= 1)) throw new Error(`cropFraction must be in (0, 1], got ${cropFraction}`);
  const side = Math.max(1, Math.round(cropFraction * size));
  const far = size - side;
  const mid = Math.floor(far / 2);
  const centre = { x0: mid, y0: mid, side };
  if (mode === 'center') return [centre];
  return [{ x0: 0, y0: 0, side }, { x0: far, y0: 0, side }, { x0: 0, y0: far, side }, { x0: far, y0: far, side }, centre];
}

/** One batch per view, each [n, size, size, c]; the caller disposes them. */
export function testTimeCrops(x: tf.Tensor4D, mode: TestTimeMode, cropFraction = 0.875): tf.Tensor4D[] {
  const [n, size] = x.shape;
  return testTimeBoxes(size, mode, cropFraction).map((b) =>
    tf.tidy(() => {
      if (b.side === size) return x.clone();
      const d = size - 1;
      // cropAndResize: normalised corners, where 1 is the last pixel's centre
      const box = [b.y0 / d, b.x0 / d, (b.y0 + b.side - 1) / d, (b.x0 + b.side - 1) / d];
      const boxes = tf.tensor2d(Array.from({ length: n }, () => box), [n, 4]);
      const idx = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
      return tf.image.cropAndResize(x, boxes, idx, [size, size], 'bilinear');
    }),
  );
}

/** Average the model's class probabilities over the views (predict returns probabilities [n, classes]). */
export function predictTestTime(predict: (x: tf.Tensor4D) => tf.Tensor2D, x: tf.Tensor4D, mode: TestTimeMode, cropFraction = 0.875): tf.Tensor2D {
  const views = testTimeCrops(x, mode, cropFraction);
  try {
    return tf.tidy(() => {
      const probs = views.map((v) => predict(v));
      return (probs.length === 1 ? probs[0]! : tf.addN(probs).div(probs.length)) as tf.Tensor2D;
    });
  } finally {
    views.forEach((v) => v.dispose());
  }
}

/**
 * Class probabilities of a whole split with test-time views averaged: the document's test method (four
 * corners + centre) or the centre crop. Views are cut from [0, 1] pixels, then normalised as the model expects.
 * A split on disk is read a batch at a time (pixelBatches), so its pixels are never all in memory.
 */
export async function predictProbabilitiesTestTime(
  model: tf.LayersModel,
  data: SplitPixels,
  preprocessing: Preprocessing,
  mode: TestTimeMode,
  cropFraction = 0.875,
  batchSize = 64,
  read?: ReadRows,
): Promise<Float32Array> {
  let out: Float32Array | null = null;
  for await (const { start, n, bytes } of pixelBatches(data, batchSize, read)) {
    const unit = toInputTensor(bytes, n, data.size, data.channels, 'unit');
    const probs = predictTestTime((v) => tf.tidy(() => model.predict(normalizeUnitTensor(v, preprocessing.normalization)) as tf.Tensor2D), unit, mode, cropFraction);
    const values = (await probs.data()) as Float32Array;
    if (!out) out = new Float32Array(data.n * probs.shape[1]);
    out.set(values, start * probs.shape[1]);
    tf.dispose([unit, probs]);
    await new Promise<void>((r) => setImmediate(r));
  }
  return out ?? new Float32Array(0);
}

/** Accuracy and loss with test-time views, for Evaluation.tta ("report accuracy with and without"). */
export async function evaluateTestTime(
  model: tf.LayersModel,
  data: SplitPixels,
  preprocessing: Preprocessing,
  mode: TestTimeMode = 'five-crop',
  cropFraction = 0.875,
  opts: { batchSize?: number; read?: ReadRows } = {},
): Promise<{ crops: number; accuracy: number; loss: number }> {
  const probs = await predictProbabilitiesTestTime(model, data, preprocessing, mode, cropFraction, opts.batchSize ?? 64, opts.read);
  const { loss, accuracy } = lossAndAccuracy(probs, data.y, data.classes.length);
  return { crops: testTimeBoxes(data.size, mode, cropFraction).length, accuracy, loss };
}
