// Inverted-dropout masks from a counter-based hash: one kernel on backends that provide it (the oneDNN addon),
// a plain loop elsewhere, bit-identical on every backend for a seed. tfjs's tf.dropout draws its uniforms one by
// one in JS (seedrandom) and then runs Add, Floor and RealDiv over them; this makes the multiplier in one pass.
// u_i = lowbias32(lowbias32(seed) + i) >>> 8 over 2^24; the multiplier is 1/(1−rate) where u_i ≥ rate, else 0
// (the same rule as tf.dropout: keep with probability 1 − rate, scale the kept values).
import * as tf from '@tensorflow/tfjs';

export const DROPOUT_MASK_KERNEL = 'LabDropoutMask';

/** Whether the active backend makes masks natively. */
export function hasNativeDropoutMask(): boolean {
  return tf.getKernel(DROPOUT_MASK_KERNEL, tf.getBackend()) !== undefined;
}

function mix32(v: number): number {
  let x = v >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The seed as the hash takes it: a uint32 (tfjs-style seeds in (0, 1) are scaled to 32 bits). */
export function maskSeed(seed: number): number {
  return (seed > 0 && seed < 1 ? Math.floor(seed * 2 ** 32) : Math.floor(seed)) >>> 0;
}

/** The multiplier kept values get, rounded as a float32 tensor holds it. */
export function keepScale(rate: number): number {
  return Math.fround(1 / (1 - rate));
}

/** The mask in JS (the reference, and the path of backends without the kernel). */
export function dropoutMaskValues(size: number, rate: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  const base = mix32(maskSeed(seed));
  const scale = keepScale(rate);
  const threshold = Math.fround(rate);
  for (let i = 0; i < size; i++) {
    const u = (mix32(base + i) >>> 8) / 16777216;
    out[i] = u >= threshold ? scale : 0;
  }
  return out;
}

/** The multiplier tensor for dropout at `rate` (0 < rate < 1) over `shape`, from `seed`. */
export function dropoutMask(shape: number[], rate: number, seed: number): tf.Tensor {
  if (hasNativeDropoutMask()) {
    return tf.engine().runKernel(DROPOUT_MASK_KERNEL, {}, { shape, rate, seed: maskSeed(seed), scale: keepScale(rate) }) as tf.Tensor;
  }
  return tf.tensor(dropoutMaskValues(shape.reduce((a, b) => a * b, 1), rate, seed), shape, 'float32');
}

/** x · mask (gradients flow through the product to x). */
export function seededDropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  return tf.tidy(() => tf.mul(x, dropoutMask(x.shape, rate, seed)));
}
