import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelError, randomArray, runOn, seeded } from '../test-util';
import { registerWasmTrainingKernels } from './register';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

const r = seeded(21);
const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

const cases = Array.from({ length: 20 }, () => {
  const stride = pick([1, 2]);
  return {
    n: pick([1, 2, 3]),
    h: pick([5, 8, 9]),
    w: pick([4, 7]),
    c: pick([1, 3, 8]),
    mult: pick([1, 2]),
    f: pick([1, 3]),
    stride,
    dilation: stride === 1 ? pick([1, 2]) : 1,
    pad: pick(['same', 'valid'] as const),
  };
});

describe('wasm depthwise-convolution gradients match the reference CPU kernels', () => {
  it.each(cases)('%o', async (c) => {
    const xShape = [c.n, c.h, c.w, c.c];
    const fShape = [c.f, c.f, c.c, c.mult];
    const info = tf.backend_util.computeConv2DInfo(
      xShape as [number, number, number, number],
      fShape as [number, number, number, number],
      c.stride,
      c.dilation,
      c.pad,
      undefined,
      true,
    );
    const dyShape = [c.n, info.outHeight, info.outWidth, c.c * c.mult];
    const x = { values: randomArray(r, size(xShape)), shape: xShape };
    const filter = { values: randomArray(r, size(fShape)), shape: fShape };
    const dy = { values: randomArray(r, size(dyShape)), shape: dyShape };
    const common = { strides: [c.stride, c.stride], dilations: [c.dilation, c.dilation], pad: c.pad };

    const fAttrs = { ...common, filterShape: fShape };
    const iAttrs = { ...common, inputShape: xShape };
    const ourF = await runOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, fAttrs);
    const ourI = await runOn('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, iAttrs);
    if (c.dilation === 1) {
      const refF = await runOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, fAttrs);
      expect(ourF.shape).toEqual(refF.shape);
      expect(maxRelError(ourF.values, refF.values)).toBeLessThan(1e-4);
      const refI = await runOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy, filter }, iAttrs);
      expect(ourI.shape).toEqual(refI.shape);
      expect(maxRelError(ourI.values, refI.values)).toBeLessThan(1e-4);
    } else {
      // tfjs's reference gradient kernels ignore dilation (its gradient refuses dilation > 1), so check the
      // adjoint identity against the reference forward kernel instead: <conv(x, W), dy> = <W, dW> = <x, dx>.
      await tf.setBackend('cpu');
      const y = tf.depthwiseConv2d(
        tf.tensor4d(x.values, xShape as [number, number, number, number]),
        tf.tensor4d(filter.values, fShape as [number, number, number, number]),
        c.stride,
        c.pad,
        'NHWC',
        c.dilation,
      );
      const lhs = tf.sum(tf.mul(y, tf.tensor(dy.values, dyShape))).dataSync()[0]!;
      const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        let s = 0;
        for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
        return s;
      };
      expect(Math.abs(dot(filter.values, ourF.values) - lhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
      expect(Math.abs(dot(x.values, ourI.values) - lhs)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lhs)));
    }
  });
});

describe('wasm UnsortedSegmentSum matches the reference CPU kernel', () => {
  it.each([
    { xShape: [6, 3], ids: [0, 2, 2, 1, 0, 3], numSegments: 4 },
    { xShape: [5], ids: [1, 1, 1, 0, 4], numSegments: 5 },
    { xShape: [4, 2, 2], ids: [3, 0, 3, 9], numSegments: 4 }, // 9 is out of range: dropped
  ])('%o', async ({ xShape, ids, numSegments }) => {
    const x = { values: randomArray(r, size(xShape)), shape: xShape };
    const segmentIds = { values: Int32Array.from(ids), shape: [ids.length], dtype: 'int32' as const };
    const ref = await runOn('cpu', 'UnsortedSegmentSum', { x, segmentIds }, { numSegments });
    const ours = await runOn('wasm', 'UnsortedSegmentSum', { x, segmentIds }, { numSegments });
    expect(ours.shape).toEqual(ref.shape);
    expect(maxRelError(ours.values, ref.values)).toBeLessThan(1e-5);
  });
});

describe('a model with a depthwise convolution trains on wasm', () => {
  it('computes gradients for every weight', async () => {
    await tf.setBackend('wasm');
    const m = tf.sequential();
    m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, inputShape: [8, 8, 3], padding: 'same' }));
    m.add(tf.layers.conv2d({ filters: 4, kernelSize: 1, strides: 2 }));
    m.add(tf.layers.globalAveragePooling2d({}));
    m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([4, 8, 8, 3]);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const before = m.getWeights().map((w) => w.dataSync().slice());
    const loss = (await m.trainOnBatch(x, y)) as number;
    expect(Number.isFinite(loss)).toBe(true);
    const after = m.getWeights().map((w) => w.dataSync());
    after.forEach((w, i) => expect(maxRelError(w, before[i]!)).toBeGreaterThan(0));
  });
});
