import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelError, randomArray, runOn, seeded } from '../test-util';
import { registerWasmTrainingKernels } from './register';

beforeAll(async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
});

const cases: { shape: number[]; reps: number[] }[] = [
  { shape: [1, 1, 1, 5], reps: [3, 4, 2, 1] }, // batch-norm gradient pattern
  { shape: [5], reps: [3] },
  { shape: [2, 3], reps: [2, 2] },
  { shape: [2, 1, 3], reps: [1, 4, 2] },
  { shape: [1, 3, 1, 2], reps: [2, 1, 3, 2] },
  { shape: [3, 2], reps: [1, 1] },
];

describe('wasm Tile matches the reference CPU kernel', () => {
  it.each(cases)('%o', async ({ shape, reps }) => {
    const r = seeded(shape.length * 10 + reps[0]!);
    const x = { values: randomArray(r, shape.reduce((a, b) => a * b, 1)), shape };
    const ref = await runOn('cpu', 'Tile', { x }, { reps });
    const ours = await runOn('wasm', 'Tile', { x }, { reps });
    expect(ours.shape).toEqual(ref.shape);
    expect(maxRelError(ours.values, ref.values)).toBeLessThan(1e-6);
  });
});
