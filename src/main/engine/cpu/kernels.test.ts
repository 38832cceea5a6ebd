import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxRelError, randomArray, runOn, seeded, type TensorSpec } from '../test-util';
import { registerCpuFastKernels, unregisterCpuFastKernels } from './register';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => unregisterCpuFastKernels());

/** tfjs's own CPU kernel vs ours registered over it, in the same process. */
async function compare(kernel: string, inputs: Record<string, TensorSpec>, attrs: tf.NamedAttrMap) {
  unregisterCpuFastKernels();
  const ref = await runOn('cpu', kernel, inputs, attrs);
  registerCpuFastKernels();
  const ours = await runOn('cpu', kernel, inputs, attrs);
  return { ref, ours };
}

const r = seeded(5);
const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('cpu-fast Conv2DBackpropFilter matches tfjs', () => {
  const cases = Array.from({ length: 16 }, () => ({
    n: pick([1, 2, 3]),
    h: pick([5, 8, 9]),
    w: pick([4, 6, 7]),
    ci: pick([1, 3, 8]),
    co: pick([1, 4, 16]),
    f: pick([1, 2, 3]),
    stride: pick([1, 2]),
    pad: pick(['same', 'valid'] as const),
  }));
  it.each(cases)('%o', async (c) => {
    const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.f, c.f, c.ci, c.co], c.stride, 1, c.pad);
    const xs = [c.n, c.h, c.w, c.ci];
    const dys = [c.n, info.outHeight, info.outWidth, c.co];
    const x = { values: randomArray(r, size(xs)).map((v) => Math.max(0, v)), shape: xs };
    const dy = { values: randomArray(r, size(dys)), shape: dys };
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: [c.f, c.f, c.ci, c.co] };
    const { ref, ours } = await compare('Conv2DBackpropFilter', { x, dy }, attrs);
    expect(ours.shape).toEqual(ref.shape);
    expect(maxRelError(ours.values, ref.values)).toBeLessThan(1e-4);
  });
});

describe('cpu-fast MaxPoolGrad matches tfjs', () => {
  const cases = Array.from({ length: 12 }, () => ({
    n: pick([1, 2]),
    h: pick([4, 5, 8]),
    w: pick([4, 7]),
    c: pick([1, 3, 8]),
    f: pick([2, 3]),
    stride: pick([1, 2]),
    pad: pick(['same', 'valid'] as const),
  }));
  it.each(cases)('%o', async (c) => {
    const shape = [c.n, c.h, c.w, c.c];
    const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], c.f, c.stride, 1, c.pad);
    const dys = [c.n, info.outHeight, info.outWidth, c.c];
    const input = { values: randomArray(r, size(shape)).map((v) => Math.max(0, v)), shape };
    const dy = { values: randomArray(r, size(dys)), shape: dys };
    const attrs = { filterSize: [c.f, c.f], strides: [c.stride, c.stride], pad: c.pad };
    const { ref, ours } = await compare('MaxPoolGrad', { dy, input }, attrs);
    expect(ours.shape).toEqual(ref.shape);
    expect(maxRelError(ours.values, ref.values)).toBeLessThan(1e-4);
  });
});
