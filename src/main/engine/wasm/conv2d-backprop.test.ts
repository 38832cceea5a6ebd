import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelError, randomArray, runOn, seeded } from '../test-util';
import { registerWasmTrainingKernels } from './register';

interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  f: number;
  stride: number;
  pad: 'same' | 'valid';
}

function randomCases(count: number, seed: number): Case[] {
  const r = seeded(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    cases.push({
      n: pick([1, 2, 3]),
      h: pick([5, 7, 8, 11]),
      w: pick([4, 6, 9]),
      ci: pick([1, 3, 4, 8]),
      co: pick([1, 2, 5, 16]),
      f: pick([1, 2, 3, 5]),
      stride: pick([1, 2]),
      pad: pick(['same', 'valid'] as const),
    });
  }
  return cases;
}

const cases = randomCases(24, 7);

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

describe('wasm Conv2DBackpropFilter matches the reference CPU kernel', () => {
  it.each(cases)('%o', async (c) => {
    const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.f, c.f, c.ci, c.co], c.stride, 1, c.pad);
    const r = seeded(c.n * 131 + c.h * 17 + c.co);
    const x = { values: randomArray(r, c.n * c.h * c.w * c.ci), shape: [c.n, c.h, c.w, c.ci] };
    const dyShape = [c.n, info.outHeight, info.outWidth, c.co];
    const dy = { values: randomArray(r, dyShape.reduce((a, b) => a * b, 1)), shape: dyShape };
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: [c.f, c.f, c.ci, c.co] };
    const ref = await runOn('cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
    const ours = await runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
    expect(ours.shape).toEqual(ref.shape);
    expect(maxRelError(ours.values, ref.values)).toBeLessThan(1e-4);
  });
});

describe('wasm Conv2DBackpropInput matches the reference CPU kernel', () => {
  it.each(cases)('%o', async (c) => {
    const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.f, c.f, c.ci, c.co], c.stride, 1, c.pad);
    const r = seeded(c.n * 7 + c.w * 3 + c.ci);
    const filter = { values: randomArray(r, c.f * c.f * c.ci * c.co), shape: [c.f, c.f, c.ci, c.co] };
    const dyShape = [c.n, info.outHeight, info.outWidth, c.co];
    const dy = { values: randomArray(r, dyShape.reduce((a, b) => a * b, 1)), shape: dyShape };
    const attrs = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', inputShape: [c.n, c.h, c.w, c.ci] };
    const ref = await runOn('cpu', 'Conv2DBackpropInput', { dy, filter }, attrs);
    const ours = await runOn('wasm', 'Conv2DBackpropInput', { dy, filter }, attrs);
    expect(ours.shape).toEqual(ref.shape);
    expect(maxRelError(ours.values, ref.values)).toBeLessThan(1e-4);
  });
});
