import * as tf from '@tensorflow/tfjs';
import { AugmentConfigSchema, isIdentity, resolveAugment, type AugmentConfig, type ResolvedAugment } from '../../shared/augment-config';
import type { InputConfig } from '../../shared/config';
import { parseOrThrow } from '../../shared/validation';
import type { BatchAugmentContext, BatchAugmenter } from './batch-augmenter';
import { augmentBatchCpu } from './cpu-kernel';
import { colorTransform, eraseRegion, hasColor, hasGeometry, inverseAffine } from './geometry';
import { drawMixup, drawParams, type AugmentParams, type MixupParams } from './params';

/**
 * The training path: the same drawn parameters as the sharp path, applied to a whole batch with tensor ops
 * (per-image colour matrices, one projective transform per image, an erasing mask, mixup), so the trainer
 * never waits on per-image sharp calls.
 */

export interface BatchAugmentOptions {
  /** Dataset mean per channel in [0, 1] (erasing with fill = mean). */
  mean?: number[];
}

// tfjs-backend-cpu's Transform kernel returns after the first image of a batch (4.22), so probe once per
// backend and fall back to one call per image where batched calls are broken.
const batchedTransformWorks = new Map<string, boolean>();
function canBatchTransform(): boolean {
  const name = tf.getBackend();
  let ok = batchedTransformWorks.get(name);
  if (ok === undefined) {
    ok = tf.tidy(() => {
      const img = tf.ones([2, 2, 2, 1]) as tf.Tensor4D;
      const id = tf.tensor2d([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], [2, 8]);
      return tf.image.transform(img, id, 'bilinear', 'constant', 0).sum().dataSync()[0] === 8;
    });
    batchedTransformWorks.set(name, ok);
  }
  return ok;
}

function geometryOp(x: tf.Tensor4D, params: AugmentParams[], size: number): tf.Tensor4D {
  const n = params.length;
  const mats = new Float32Array(n * 8);
  for (let i = 0; i < n; i++) {
    const m = inverseAffine(params[i]!, size);
    mats.set(m, i * 8);
  }
  const { mode } = params[0]!.fill;
  // the sharp path fills with a uint8 grey; use the same level
  const value = Math.round(params[0]!.fill.value * 255) / 255;
  if (canBatchTransform()) return tf.image.transform(x, tf.tensor2d(mats, [n, 8]), 'bilinear', mode, value, [size, size]);
  const parts: tf.Tensor4D[] = [];
  for (let i = 0; i < n; i++) {
    const xi = tf.slice(x, [i, 0, 0, 0], [1, -1, -1, -1]);
    parts.push(hasGeometry(params[i]!) ? tf.image.transform(xi, tf.tensor2d(mats.subarray(i * 8, i * 8 + 8), [1, 8]), 'bilinear', mode, value, [size, size]) : xi);
  }
  return tf.concat(parts, 0);
}

function colorOp(x: tf.Tensor4D, params: AugmentParams[], channels: 1 | 3): tf.Tensor4D {
  const n = params.length;
  const [, h, w] = x.shape;
  const offsets = new Float32Array(n);
  if (channels === 1) {
    const scale = new Float32Array(n);
    params.forEach((p, i) => {
      const t = colorTransform(p, 1);
      scale[i] = t.K[0]!;
      offsets[i] = t.offset;
    });
    return x.mul(tf.tensor4d(scale, [n, 1, 1, 1])).add(tf.tensor4d(offsets, [n, 1, 1, 1])).clipByValue(0, 1) as tf.Tensor4D;
  }
  // rows are pixels, so multiply by Kᵀ: [n, h·w, 3] × [n, 3, 3]
  const kt = new Float32Array(n * 9);
  params.forEach((p, i) => {
    const { K, offset } = colorTransform(p, 3);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) kt[i * 9 + c * 3 + r] = K[r * 3 + c]!;
    offsets[i] = offset;
  });
  const flat = x.reshape([n, h * w, 3]) as tf.Tensor3D;
  const out = tf.matMul(flat, tf.tensor3d(kt, [n, 3, 3])).add(tf.tensor3d(offsets, [n, 1, 1]));
  return out.reshape([n, h, w, 3]).clipByValue(0, 1) as tf.Tensor4D;
}

function eraseOp(x: tf.Tensor4D, params: AugmentParams[], size: number, channels: 1 | 3, mean?: number[]): tf.Tensor4D {
  const n = params.length;
  const plane = size * size;
  const keep = new Float32Array(n * plane).fill(1);
  const fill = new Float32Array(n * plane * channels);
  // Which images are grey (equal channels everywhere): their random erasing noise is grey as well.
  const colourSpread = channels === 3 ? (tf.tidy(() => x.max(3).sub(x.min(3)).max([1, 2])).dataSync() as Float32Array) : null;
  params.forEach((p, i) => {
    const r = eraseRegion(p, size, channels, mean, colourSpread === null || colourSpread[i] === 0);
    if (!r) return;
    for (let y = 0; y < r.h; y++) {
      for (let xx = 0; xx < r.w; xx++) {
        const px = i * plane + (r.y0 + y) * size + r.x0 + xx;
        keep[px] = 0;
        for (let c = 0; c < channels; c++) fill[px * channels + c] = r.values[(y * r.w + xx) * channels + c]! / 255;
      }
    }
  });
  return x.mul(tf.tensor4d(keep, [n, size, size, 1])).add(tf.tensor4d(fill, [n, size, size, channels]));
}

/** Mix each image (and its one-hot label) with a partner: λ·a + (1−λ)·b, so every label row still sums to 1. */
export function mixupOp(x: tf.Tensor4D, y: tf.Tensor2D, mix: MixupParams): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const idx = tf.tensor1d(mix.partner, 'int32');
    const l = mix.lambda;
    return { x: x.mul(l).add(tf.gather(x, idx).mul(1 - l)) as tf.Tensor4D, y: y.mul(l).add(tf.gather(y, idx).mul(1 - l)) as tf.Tensor2D };
  });
}

/** Backends whose tensors live in JS/wasm memory: there the fused loop beats the generic kernels by far. */
const CPU_RESIDENT = new Set(['cpu', 'wasm']);

export type BatchImpl = 'auto' | 'ops' | 'cpu';

/**
 * Apply given per-image parameters to a batch (float32 NHWC in [0, 1]); exposed for tests and previews.
 * impl 'ops' = tensor ops (GPU and native backends), 'cpu' = the fused loop, 'auto' picks by backend.
 */
export function applyParamsBatch(x: tf.Tensor4D, params: AugmentParams[], opts: BatchAugmentOptions = {}, impl: BatchImpl = 'auto'): tf.Tensor4D {
  const [n, size, , ch] = x.shape;
  if (params.length !== n) throw new Error(`applyParamsBatch: ${params.length} parameter sets for ${n} images`);
  const channels = ch === 1 ? 1 : 3;
  if (impl === 'cpu' || (impl === 'auto' && CPU_RESIDENT.has(tf.getBackend()))) {
    return tf.tensor4d(augmentBatchCpu(x.dataSync() as Float32Array, n, size, channels, params, opts.mean), [n, size, size, ch]);
  }
  return tf.tidy(() => {
    let out: tf.Tensor4D = x;
    // same order as the sharp path: colour (clamped), geometry, erasing
    if (params.some(hasColor)) out = colorOp(out, params, channels);
    if (params.some(hasGeometry)) out = geometryOp(out, params, size);
    if (params.some((p) => p.erase)) out = eraseOp(out, params, size, channels, opts.mean);
    return out === x ? x.clone() : out;
  });
}

/** The trainer's augmenter, or null when nothing would ever change (preset none and nothing enabled). */
export function createBatchAugmenter(config: AugmentConfig, input: InputConfig, seed: number, opts: BatchAugmentOptions = {}): BatchAugmenter | null {
  const resolved: ResolvedAugment = resolveAugment(parseOrThrow(AugmentConfigSchema, config, 'augmentation settings', 'BAD_CONFIG'));
  if (isIdentity(resolved)) return null;
  return {
    apply(x: tf.Tensor4D, y: tf.Tensor2D, ctx: BatchAugmentContext) {
      const n = x.shape[0];
      if (x.shape[1] !== input.size || x.shape[3] !== input.channels) {
        throw new Error(`augmentation expects ${input.size}×${input.size}×${input.channels} images, got ${x.shape.slice(1).join('×')}`);
      }
      const params = Array.from({ length: n }, (_, i) => drawParams(resolved, seed, ctx.epoch, ctx.imageIds[i] ?? i));
      const mix = drawMixup(resolved, seed, ctx.epoch, ctx.imageIds);
      const xa = applyParamsBatch(x, params, opts);
      if (!mix) return { x: xa, y: y.clone() };
      const mixed = mixupOp(xa, y, mix);
      xa.dispose();
      return mixed;
    },
  };
}
