import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyParamsBatch, mixupOp } from './batch-path';
import { IDENTITY_PARAMS, type AugmentParams } from './params';
import { augmentWithSharp } from './sharp-path';
import { predictTestTime, testTimeCrops } from './test-time';

/**
 * Known answers on tiny synthetic images. Every geometric and colour case runs through both paths
 * (sharp reference and batched tensors) and both must give the expected pixels.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const S = 4;
/** value(x, y) = 10 + 20x + 60y in every channel (linear, so bilinear sampling reproduces it exactly). */
function gradient(channels: 1 | 3 = 3): Uint8Array {
  const a = new Uint8Array(S * S * channels);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < channels; c++) a[(y * S + x) * channels + c] = 10 + 20 * x + 60 * y;
  return a;
}
const px = (a: ArrayLike<number>, x: number, y: number, c = 0, channels = 3) => a[(y * S + x) * channels + c]!;

/** The sharp path, the tensor-ops batch path and the fused CPU batch path on the same image. */
async function both(img: Uint8Array, p: Partial<AugmentParams>, channels: 1 | 3 = 3, size = S): Promise<{ sharp: Uint8Array; batch: number[]; fused: number[] }> {
  const params = { ...IDENTITY_PARAMS, ...p };
  const sharpOut = await augmentWithSharp(img, { width: size, height: size, channels }, params, size, channels);
  const x = tf.tensor4d(Float32Array.from(img, (v) => v / 255), [1, size, size, channels]);
  const y = applyParamsBatch(x, [params], {}, 'ops');
  const z = applyParamsBatch(x, [params], {}, 'cpu');
  const batch = Array.from(await y.data(), (v) => v * 255);
  const fused = Array.from(await z.data(), (v) => v * 255);
  tf.dispose([x, y, z]);
  return { sharp: sharpOut, batch, fused };
}

/** Both paths equal the expected image within `tol` levels. */
function expectBoth(r: { sharp: Uint8Array; batch: number[]; fused: number[] }, expected: (x: number, y: number, c: number) => number, channels: 1 | 3 = 3, tol = 1) {
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++)
      for (let c = 0; c < channels; c++) {
        const want = expected(x, y, c);
        expect(Math.abs(px(r.sharp, x, y, c, channels) - want), `sharp (${x},${y},${c})`).toBeLessThanOrEqual(tol);
        expect(Math.abs(px(r.batch, x, y, c, channels) - want), `batch (${x},${y},${c})`).toBeLessThanOrEqual(tol);
        expect(Math.abs(px(r.fused, x, y, c, channels) - want), `fused (${x},${y},${c})`).toBeLessThanOrEqual(tol);
      }
}

const g = (x: number, y: number) => 10 + 20 * x + 60 * y;

describe('geometry', () => {
  it('horizontal flip mirrors left and right', async () => {
    expectBoth(await both(gradient(), { hflip: true }), (x, y) => g(3 - x, y), 3, 0.01);
  });
  it('vertical flip mirrors top and bottom', async () => {
    expectBoth(await both(gradient(), { vflip: true }), (x, y) => g(x, 3 - y), 3, 0.01);
  });
  it('rotation by 90° turns the image counter-clockwise', async () => {
    expectBoth(await both(gradient(), { rotate: 90 }), (x, y) => g(3 - y, x), 3, 0.01);
  });
  it('single-channel images keep one channel', async () => {
    const r = await both(gradient(1), { hflip: true, rotate: 90 }, 1);
    expect(r.sharp.length).toBe(S * S);
    expectBoth(r, (x, y) => g(y, x), 1, 0.01);
  });
  it('scale 2 with the crop at the top-left zooms into the top-left quarter', async () => {
    // output pixel X samples input X/2 − 1/4 (pixel centres aligned); the edge uses the nearest fill
    const r = await both(gradient(), { scale: 2, cropX: 0, cropY: 0, fill: { mode: 'nearest', value: 0 } });
    expectBoth(r, (x, y) => 10 + 20 * Math.max(0, x / 2 - 0.25) + 60 * Math.max(0, y / 2 - 0.25));
  });
  it('translation shifts and fills the uncovered border with the fill value', async () => {
    const r = await both(gradient(), { translateX: 0.25, fill: { mode: 'constant', value: 1 } });
    expectBoth(r, (x, y) => (x === 0 ? 255 : g(x - 1, y)), 3, 0.01);
  });
  it('nearest and reflect fills repeat the edge / mirror the image', async () => {
    expectBoth(await both(gradient(), { translateX: 0.5, fill: { mode: 'nearest', value: 0 } }), (x, y) => g(Math.max(0, x - 2), y), 3, 0.01);
    // reflect mirrors about the edge, repeating the edge pixel: … b a | a b c d
    expectBoth(await both(gradient(), { translateX: 0.5, fill: { mode: 'reflect', value: 0 } }), (x, y) => g(x >= 2 ? x - 2 : 1 - x, y), 3, 0.01);
  });
  it('shear and stretch keep the centre in place', async () => {
    // 5×5 so the centre is a pixel
    const img = new Uint8Array(25 * 3);
    for (let i = 0; i < 25; i++) img.fill(i * 10, i * 3, i * 3 + 3);
    const params = { ...IDENTITY_PARAMS, shear: 20, stretchX: 1.2, stretchY: 0.8 };
    const a = await augmentWithSharp(img, { width: 5, height: 5, channels: 3 }, params, 5, 3);
    expect(a[(2 * 5 + 2) * 3]).toBe(120);
  });
});

describe('colour', () => {
  const rgb = (r: number, gg: number, b: number) => {
    const a = new Uint8Array(S * S * 3);
    for (let i = 0; i < S * S; i++) a.set([r, gg, b], i * 3);
    return a;
  };
  it('brightness ×1.2 scales and clamps at white', async () => {
    expectBoth(await both(rgb(100, 230, 0), { brightness: 1.2 }), (_x, _y, c) => [120, 255, 0][c]!);
  });
  it('contrast 0 gives mid-grey, contrast 1.5 stretches around it', async () => {
    expectBoth(await both(rgb(100, 200, 0), { contrast: 0 }), () => 127.5);
    expectBoth(await both(rgb(100, 200, 0), { contrast: 1.5 }), (_x, _y, c) => [86.25, 236.25, 0][c]!);
  });
  it('saturation 0 gives the grey of the same luma', async () => {
    const luma = 0.299 * 200 + 0.587 * 100 + 0.114 * 50;
    expectBoth(await both(rgb(200, 100, 50), { saturation: 0 }), () => luma);
  });
  it('hue shifts keep grey grey and keep luma, half a turn turns orange bluish', async () => {
    expectBoth(await both(rgb(90, 90, 90), { hue: 0.3 }), () => 90);
    const r = await both(rgb(200, 100, 50), { hue: 0.5 });
    for (const out of [r.sharp, r.batch]) {
      const [R, G, B] = [px(out, 0, 0, 0), px(out, 0, 0, 1), px(out, 0, 0, 2)];
      expect(B).toBeGreaterThan(R);
      expect(Math.abs(0.299 * R + 0.587 * G + 0.114 * B - (0.299 * 200 + 0.587 * 100 + 0.114 * 50))).toBeLessThan(1.5);
    }
    // a full turn is no change
    expectBoth(await both(rgb(200, 100, 50), { hue: 1 }), (_x, _y, c) => [200, 100, 50][c]!);
  });
});

describe('random erasing', () => {
  it('fills the rectangle with the mean or with random values, the same in both paths', async () => {
    const img = gradient();
    const mean = await both(img, { erase: { cx: 0.5, cy: 0.5, w: 0.5, h: 0.5, fill: 'mean', noiseSeed: 1 } });
    expectBoth(mean, (x, y) => (x >= 1 && x <= 2 && y >= 1 && y <= 2 ? 128 : g(x, y)), 3, 0.01);
    const rnd = await both(img, { erase: { cx: 0.25, cy: 0.25, w: 0.5, h: 0.5, fill: 'random', noiseSeed: 99 } });
    expect(rnd.batch.map(Math.round)).toEqual(Array.from(rnd.sharp));
    expect(rnd.fused.map(Math.round)).toEqual(Array.from(rnd.sharp));
    const inside = [px(rnd.sharp, 0, 0), px(rnd.sharp, 1, 0), px(rnd.sharp, 0, 1), px(rnd.sharp, 1, 1)];
    expect(new Set(inside).size).toBeGreaterThan(1);
    expect(px(rnd.sharp, 3, 3)).toBe(g(3, 3));
  });
});

describe('mixup', () => {
  it('mixes images and labels with λ, and every label row still sums to 1', () => {
    const x = tf.tensor4d([0, 0, 0, 0, 1, 1, 1, 1], [2, 2, 2, 1]);
    const y = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const out = mixupOp(x, y, { lambda: 0.7, partner: Int32Array.from([1, 0]) });
    const lx = out.x.arraySync();
    expect(lx[0]![0]![0]![0]).toBeCloseTo(0.3);
    expect(lx[1]![0]![0]![0]).toBeCloseTo(0.7);
    const ly = out.y.arraySync();
    expect(ly[0]).toEqual([expect.closeTo(0.7), expect.closeTo(0.3)]);
    for (const row of ly) expect(row[0]! + row[1]!).toBeCloseTo(1);
    tf.dispose([x, y, out.x, out.y]);
  });
});

describe('test-time crops', () => {
  it('gives the image, the centre crop, or four corners + centre', () => {
    const x = tf.tensor4d(Float32Array.from(gradient(1), (v) => v / 255), [1, S, S, 1]);
    const none = testTimeCrops(x, 'none');
    expect(none).toHaveLength(1);
    expect(Array.from(none[0]!.dataSync())).toEqual(Array.from(x.dataSync()));
    const five = testTimeCrops(x, 'five-crop', 0.5);
    expect(five).toHaveLength(5);
    const v = five.map((t) => Array.from(t.dataSync(), (a) => Math.round(a * 255)));
    // crops of side 2 stretched to 4: corners keep the corner pixels of their quarter
    expect(v[0]![0]).toBe(g(0, 0));
    expect(v[0]![15]).toBe(g(1, 1));
    expect(v[1]![3]).toBe(g(3, 0));
    expect(v[2]![12]).toBe(g(0, 3));
    expect(v[3]![15]).toBe(g(3, 3));
    expect(v[4]![0]).toBe(g(1, 1));
    expect(v[4]![15]).toBe(g(2, 2));
    tf.dispose([x, ...none, ...five]);
  });
  it('averages predictions over the views', () => {
    const x = tf.tensor4d(Float32Array.from(gradient(1), (v) => v / 255), [1, S, S, 1]);
    // a "model" whose class-1 probability is the mean brightness of what it sees
    const predict = (v: tf.Tensor4D) => tf.tidy(() => {
      const m = v.mean([1, 2, 3]).reshape([-1, 1]);
      return tf.concat([tf.sub(1, m), m], 1) as tf.Tensor2D;
    });
    const views = testTimeCrops(x, 'five-crop', 0.5);
    const expected = views.map((t) => t.mean().dataSync()[0]!).reduce((s, a) => s + a, 0) / 5;
    const p = predictTestTime(predict, x, 'five-crop', 0.5);
    expect(p.shape).toEqual([1, 2]);
    expect(p.dataSync()[1]).toBeCloseTo(expected, 5);
    expect(p.dataSync()[0]! + p.dataSync()[1]!).toBeCloseTo(1, 5);
    tf.dispose([x, p, ...views]);
  });
});

describe('evaluation with test-time crops', () => {
  it('without crops equals plain prediction; with five crops averages the five views', async () => {
    const { evaluateTestTime, predictProbabilitiesTestTime } = await import('./test-time');
    const { predictProbabilities } = await import('../training/evaluate');
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [S, S, 1] }), tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: 'glorotUniform' })] });
    const imgs = [gradient(1), gradient(1).map((v) => 255 - v)];
    const data = { x: Uint8Array.from([...imgs[0]!, ...imgs[1]!]), y: Int32Array.from([0, 1]), index: Int32Array.from([0, 1]), n: 2, size: S, channels: 1 as const, classes: ['a', 'b'] };
    const pre = { input: { size: S, channels: 1 as const, fit: 'squash' as const }, normalization: 'symmetric' as const, channelOrder: 'L' as const, layout: 'NHWC' as const };
    const plain = await predictProbabilities(model, data, pre);
    const none = await predictProbabilitiesTestTime(model, data, pre, 'none');
    for (let i = 0; i < plain.length; i++) expect(none[i]).toBeCloseTo(plain[i]!, 5);
    const five = await predictProbabilitiesTestTime(model, data, pre, 'five-crop', 0.5);
    const x = tf.tensor4d(Float32Array.from(data.x, (v) => v / 255), [2, S, S, 1]);
    const views = testTimeCrops(x, 'five-crop', 0.5);
    const manual = tf.tidy(() => tf.addN(views.map((v) => model.predict(v.mul(2).sub(1)) as tf.Tensor2D)).div(5));
    const m = manual.dataSync();
    for (let i = 0; i < m.length; i++) expect(five[i]).toBeCloseTo(m[i]!, 5);
    expect(Array.from(five)).not.toEqual(Array.from(plain));
    const ev = await evaluateTestTime(model, data, pre, 'five-crop', 0.5);
    expect(ev.crops).toBe(5);
    expect([0, 0.5, 1]).toContain(ev.accuracy);
    tf.dispose([x, manual, ...views]);
    model.dispose();
  });
});

describe('sharp path input', () => {
  it('squashes an image of another size to the requested size first (no-op for cached images)', async () => {
    const wide = new Uint8Array(8 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) wide.fill(x < 4 ? 20 : 220, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
    const out = await augmentWithSharp(wide, { width: 8, height: 4, channels: 3 }, { ...IDENTITY_PARAMS, hflip: true }, 4, 3);
    expect(out.length).toBe(4 * 4 * 3);
    // left half dark, right half bright; flipped: left bright, right dark
    expect(px(out, 0, 0)).toBeGreaterThan(200);
    expect(px(out, 3, 3)).toBeLessThan(40);
    const grey = await augmentWithSharp(wide, { width: 8, height: 4, channels: 3 }, IDENTITY_PARAMS, 4, 1);
    expect(grey.length).toBe(16);
    expect(grey[0]).toBeLessThan(40);
  });
});
