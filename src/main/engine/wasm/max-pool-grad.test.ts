import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelError, randomArray, runOn, seeded } from '../test-util';
import { registerWasmTrainingKernels } from './register';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

const r = seeded(11);
const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
const cases = Array.from({ length: 20 }, () => ({
  n: pick([1, 2, 4]),
  h: pick([4, 5, 8, 9]),
  w: pick([4, 6, 7]),
  c: pick([1, 3, 16]),
  f: pick([2, 3]),
  stride: pick([1, 2]),
  pad: pick(['same', 'valid'] as const),
  relu: pick([true, false]),
}));

describe('wasm MaxPoolGrad matches the reference CPU kernel', () => {
  it.each(cases)('%o', async (c) => {
    const shape = [c.n, c.h, c.w, c.c];
    const xv = randomArray(r, shape.reduce((a, b) => a * b, 1));
    // ReLU'd inputs have many tied zeros: the gradient must go to the same position as the reference's.
    if (c.relu) for (let i = 0; i < xv.length; i++) xv[i] = Math.max(0, xv[i]!);
    const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], c.f, c.stride, 1, c.pad);
    const dyShape = [c.n, info.outHeight, info.outWidth, c.c];
    const dy = { values: randomArray(r, dyShape.reduce((a, b) => a * b, 1)), shape: dyShape };
    const attrs = { filterSize: [c.f, c.f], strides: [c.stride, c.stride], pad: c.pad };
    const inputs = { dy, input: { values: xv, shape } };
    const ref = await runOn('cpu', 'MaxPoolGrad', inputs, attrs);
    const ours = await runOn('wasm', 'MaxPoolGrad', inputs, attrs);
    expect(ours.shape).toEqual(ref.shape);
    expect(maxRelError(ours.values, ref.values)).toBeLessThan(1e-4);
  });
});
