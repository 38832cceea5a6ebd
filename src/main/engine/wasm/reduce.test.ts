import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelError, randomArray, runOn, seeded } from '../test-util';
import { registerWasmTrainingKernels } from './register';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

const cases: { shape: number[]; axis: number | number[] | null; keepDims: boolean }[] = [
  { shape: [8, 5, 6, 16], axis: [0, 1, 2], keepDims: false }, // batch-norm statistics
  { shape: [8, 5, 6, 16], axis: [0, 1, 2], keepDims: true },
  { shape: [32, 10], axis: 0, keepDims: false },
  { shape: [32, 10], axis: [-2], keepDims: true },
  { shape: [4, 3, 5], axis: [1, 0], keepDims: false },
  // Not leading axes: these go to the original wasm kernel.
  { shape: [4, 3, 5], axis: [2], keepDims: false },
  { shape: [4, 3, 5], axis: [0, 2], keepDims: true },
  { shape: [6, 7], axis: [0, 1], keepDims: false },
  { shape: [6, 7], axis: null as unknown as number[], keepDims: false },
  { shape: [2, 3, 4], axis: [0, 1, 2], keepDims: true },
];

describe.each(['Sum', 'Mean'])('wasm %s matches the reference CPU kernel', (kernel) => {
  it.each(cases)('%o', async ({ shape, axis, keepDims }) => {
    const r = seeded(shape.reduce((a, b) => a * b, 1));
    const x = { values: randomArray(r, shape.reduce((a, b) => a * b, 1)), shape };
    const ref = await runOn('cpu', kernel, { x }, { axis, keepDims } as unknown as tf.NamedAttrMap);
    const ours = await runOn('wasm', kernel, { x }, { axis, keepDims } as unknown as tf.NamedAttrMap);
    expect(ours.shape).toEqual(ref.shape);
    expect(maxRelError(ours.values, ref.values)).toBeLessThan(1e-4);
  });
});
