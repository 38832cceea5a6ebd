import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveAugment, type AugmentConfig } from '../../shared/augment-config';
import { applyParamsBatch, createBatchAugmenter } from './batch-path';
import { drawParams } from './params';
import { Rng } from './prng';
import { augmentWithSharp } from './sharp-path';

/**
 * The training path (batched tensors) must show the model exactly what the preview (sharp) shows:
 * same parameters → same pixels within ±2 levels (both sample bilinearly at the same coordinates; the
 * remaining difference is uint8 rounding inside libvips).
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SIZE = 16;

/** Smooth structure plus noise, so geometry errors show up as large differences. */
function testImage(channels: 1 | 3, seed: number): Uint8Array {
  const rng = new Rng(seed);
  const a = new Uint8Array(SIZE * SIZE * channels);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++)
      for (let c = 0; c < channels; c++) {
        const smooth = 128 + 100 * Math.sin((x + 2 * c) / 3) * Math.cos(y / 4);
        a[(y * SIZE + x) * channels + c] = Math.max(0, Math.min(255, Math.round(smooth + 40 * (rng.next() - 0.5))));
      }
  return a;
}

/** Largest difference in levels: sharp vs tensor ops, sharp vs the fused CPU loop, and ops vs fused. */
async function maxDiff(config: AugmentConfig, channels: 1 | 3, images: number): Promise<{ ops: number; fused: number; opsVsFused: number }> {
  const r = resolveAugment(config);
  const worst = { ops: 0, fused: 0, opsVsFused: 0 };
  const imgs = Array.from({ length: images }, (_, i) => testImage(channels, i + 1));
  const params = imgs.map((_, i) => drawParams(r, 123, 2, i));
  const x = tf.tensor4d(Float32Array.from(imgs.flatMap((a) => Array.from(a)), (v) => v / 255), [images, SIZE, SIZE, channels]);
  const outOps = applyParamsBatch(x, params, {}, 'ops');
  const outCpu = applyParamsBatch(x, params, {}, 'cpu');
  const ops = await outOps.data();
  const fused = await outCpu.data();
  tf.dispose([x, outOps, outCpu]);
  for (let i = 0; i < images; i++) {
    const ref = await augmentWithSharp(imgs[i]!, { width: SIZE, height: SIZE, channels }, params[i]!, SIZE, channels);
    const off = i * SIZE * SIZE * channels;
    for (let k = 0; k < ref.length; k++) {
      worst.ops = Math.max(worst.ops, Math.abs(ref[k]! - ops[off + k]! * 255));
      worst.fused = Math.max(worst.fused, Math.abs(ref[k]! - fused[off + k]! * 255));
      worst.opsVsFused = Math.max(worst.opsVsFused, Math.abs(ops[off + k]! - fused[off + k]!) * 255);
    }
  }
  return worst;
}

describe('sharp path and batch path agree', () => {
  const cases: [string, AugmentConfig, 1 | 3][] = [
    ['light RGB', { preset: 'light' }, 3],
    ['standard RGB', { preset: 'standard' }, 3],
    ['strong RGB (reflect fill)', { preset: 'strong', mixup: { enabled: false } }, 3],
    ['strong, nearest fill', { preset: 'strong', mixup: { enabled: false }, fill: { mode: 'nearest' } }, 3],
    ['strong, grey constant fill', { preset: 'strong', mixup: { enabled: false }, fill: { mode: 'constant', value: 0.5 } }, 3],
    ['everything at full strength', { preset: 'strong', mixup: { enabled: false }, rotate: { p: 1, degrees: 45 }, affine: { p: 1, translate: 0.3, shear: 30, stretch: 0.4 }, color: { p: 1, hue: 0.5, brightness: 0.5, contrast: 0.5, saturation: 1 }, vflip: { enabled: true } }, 3],
    ['standard greyscale', { preset: 'standard' }, 1],
    ['strong greyscale', { preset: 'strong', mixup: { enabled: false } }, 1],
  ];
  for (const [name, config, channels] of cases) {
    it(`${name}: within ±2 levels`, async () => {
      const d = await maxDiff(config, channels, 24);
      expect(d.ops).toBeLessThanOrEqual(2);
      expect(d.fused).toBeLessThanOrEqual(2);
      expect(d.opsVsFused).toBeLessThan(0.01);
    });
  }

  it('a geometry mistake would be caught (sanity check of the comparison)', async () => {
    const img = testImage(3, 5);
    const p = drawParams(resolveAugment({ preset: 'none', rotate: { enabled: true, p: 1, degrees: 20 } }), 1, 0, 0);
    const ref = await augmentWithSharp(img, { width: SIZE, height: SIZE, channels: 3 }, p, SIZE, 3);
    const x = tf.tensor4d(Float32Array.from(img, (v) => v / 255), [1, SIZE, SIZE, 3]);
    const wrong = applyParamsBatch(x, [{ ...p, rotate: p.rotate + 2 }], {}, 'cpu');
    const d = await wrong.data();
    let worst = 0;
    for (let k = 0; k < ref.length; k++) worst = Math.max(worst, Math.abs(ref[k]! - d[k]! * 255));
    expect(worst).toBeGreaterThan(10);
    tf.dispose([x, wrong]);
  });
});

describe('the training augmenter', () => {
  const input = { size: 8, channels: 3 as const, fit: 'squash' as const };

  it('is absent when nothing is enabled', () => {
    expect(createBatchAugmenter({ preset: 'none' }, input, 1)).toBeNull();
    expect(createBatchAugmenter({ preset: 'none', hflip: { enabled: true, p: 0 } }, input, 1)).toBeNull();
    expect(createBatchAugmenter({ preset: 'none', hflip: { enabled: true } }, input, 1)).not.toBeNull();
  });

  it('rejects invalid settings naming the field', () => {
    expect(() => createBatchAugmenter({ preset: 'standard', scaleCrop: { scale: [2, 1] } } as AugmentConfig, input, 1)).toThrow(/scaleCrop\.scale/);
  });

  it('is deterministic per (seed, epoch, image), leaks no tensors, and matches the preview of the same image', async () => {
    const aug = createBatchAugmenter({ preset: 'standard' }, input, 9)!;
    const n = 6;
    const rng = new Rng(3);
    const pixels = Uint8Array.from({ length: n * 8 * 8 * 3 }, () => Math.floor(rng.next() * 256));
    const x = tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [n, 8, 8, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 0, 1], 'int32'), 2) as tf.Tensor2D;
    const imageIds = Int32Array.from([10, 11, 12, 13, 14, 15]);
    const before = tf.memory().numTensors;
    const a = aug.apply(x, y, { epoch: 0, imageIds });
    const b = aug.apply(x, y, { epoch: 0, imageIds });
    const c = aug.apply(x, y, { epoch: 1, imageIds });
    expect(a.x.shape).toEqual([n, 8, 8, 3]);
    expect(Array.from(a.x.dataSync())).toEqual(Array.from(b.x.dataSync()));
    expect(Array.from(a.x.dataSync())).not.toEqual(Array.from(c.x.dataSync()));
    expect(Array.from(a.y.dataSync())).toEqual(Array.from(y.dataSync())); // no mixup in standard
    // image 12 in the batch equals the sharp preview of image 12 at epoch 0
    const p = drawParams(resolveAugment({ preset: 'standard' }), 9, 0, 12);
    const ref = await augmentWithSharp(pixels.subarray(2 * 192, 3 * 192), { width: 8, height: 8, channels: 3 }, p, 8, 3);
    const got = a.x.dataSync().subarray(2 * 192, 3 * 192);
    for (let k = 0; k < 192; k++) expect(Math.abs(ref[k]! - got[k]! * 255)).toBeLessThanOrEqual(2);
    tf.dispose([a.x, a.y, b.x, b.y, c.x, c.y]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });

  it('with mixup, mixes labels so each row sums to 1', () => {
    const aug = createBatchAugmenter({ preset: 'none', mixup: { enabled: true, p: 1, alpha: 1 } }, input, 2)!;
    const x = tf.randomUniform([4, 8, 8, 3]) as tf.Tensor4D;
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3) as tf.Tensor2D;
    const out = aug.apply(x, y, { epoch: 0, imageIds: Int32Array.from([0, 1, 2, 3]) });
    const rows = out.y.arraySync();
    for (const row of rows) expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(rows.some((row) => row.some((v) => v > 0.001 && v < 0.999))).toBe(true);
    tf.dispose([x, y, out.x, out.y]);
  });
});
