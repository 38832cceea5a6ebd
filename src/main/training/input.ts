import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../shared/dto';

/**
 * uint8 NHWC pixels → float32 model input: unit x/255 ∈ [0,1], symmetric x/127.5 − 1 ∈ [−1,1].
 * The one conversion shared by training, evaluation and prediction, so they cannot drift apart.
 */
export function toInputTensor(x: Uint8Array, n: number, size: number, channels: number, normalization: Preprocessing['normalization']): tf.Tensor4D {
  const len = n * size * size * channels;
  if (x.length < len) throw new Error(`toInputTensor: expected ${len} bytes for ${n}×${size}×${size}×${channels}, got ${x.length}`);
  const out = new Float32Array(len);
  if (normalization === 'unit') for (let i = 0; i < len; i++) out[i] = x[i]! / 255;
  else for (let i = 0; i < len; i++) out[i] = x[i]! / 127.5 - 1;
  return tf.tensor4d(out, [n, size, size, channels], 'float32');
}

/** [0,1] tensor (e.g. after augmentation) → the model's range. Returns a new tensor. */
export function normalizeUnitTensor(x: tf.Tensor4D, normalization: Preprocessing['normalization']): tf.Tensor4D {
  return normalization === 'unit' ? (tf.clone(x) as tf.Tensor4D) : tf.tidy(() => tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D);
}

/** Copies the rows `rows` of an NHWC uint8 array into a new contiguous array. */
export function gatherRows(x: Uint8Array, rows: ArrayLike<number>, rowBytes: number): Uint8Array {
  const out = new Uint8Array(rows.length * rowBytes);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    out.set(x.subarray(r * rowBytes, (r + 1) * rowBytes), i * rowBytes);
  }
  return out;
}
