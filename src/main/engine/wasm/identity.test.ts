import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from './register';

beforeAll(async () => {
  registerWasmTrainingKernels();
  await tf.setBackend('wasm');
});

describe('wasm Identity shares the buffer instead of copying', () => {
  it('a clone keeps its values after the original is disposed', async () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    a.dispose();
    expect(Array.from(await b.data())).toEqual([1, 2, 3]);
    b.dispose();
  });

  it('a clone of a variable keeps the old values after the variable is assigned', async () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const before = tf.clone(v);
    v.assign(tf.tensor1d([5, 6]));
    expect(Array.from(await before.data())).toEqual([1, 2]);
    expect(Array.from(await v.data())).toEqual([5, 6]);
    tf.dispose([v, before]);
  });

  it('shares the data, and frees it once the last holder is disposed', () => {
    const start = tf.memory();
    const a = tf.zeros([1000]);
    const b = tf.clone(a);
    expect(b.dataId).toBe(a.dataId);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(start.numTensors);
    expect(tf.memory().numBytes).toBe(start.numBytes);
  });
});
