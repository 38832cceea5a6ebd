import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { unregisterCpuFastKernels } from '../cpu/register';
import { maxRelError, randomArray, seeded } from '../test-util';
import { registerWasmTrainingKernels } from './register';

// The same small CNN (conv stride 1 and 2, same/valid, BN, ReLU, max-pool, dense), from the same initial weights,
// trained for a few Adam steps on tfjs's reference CPU kernels and on wasm with our kernels: the weights agree.
function build(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false, inputShape: [10, 10, 2] }));
  m.add(tf.layers.batchNormalization({}));
  m.add(tf.layers.reLU());
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid' }));
  m.add(tf.layers.reLU());
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

async function train(backend: string, init: Float32Array[], x: Float32Array, labels: Int32Array): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const m = build();
  m.setWeights(init.map((v, i) => tf.tensor(v, m.getWeights()[i]!.shape)));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor4d(x, [8, 10, 10, 2]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 3);
  for (let i = 0; i < 5; i++) await m.trainOnBatch(xs, ys);
  const out = m.getWeights().map((w) => w.dataSync() as Float32Array);
  m.dispose();
  return out;
}

describe('training on wasm with the lab kernels', () => {
  it('ends with the same weights as the reference CPU kernels', async () => {
    unregisterCpuFastKernels();
    registerWasmTrainingKernels();
    const r = seeded(9);
    await tf.setBackend('cpu');
    const proto = build();
    const init = proto.getWeights().map((w) => w.dataSync() as Float32Array);
    proto.dispose();
    const x = randomArray(r, 8 * 10 * 10 * 2);
    const labels = Int32Array.from({ length: 8 }, (_, i) => i % 3);
    const ref = await train('cpu', init, x, labels);
    const ours = await train('wasm', init, x, labels);
    expect(ours.length).toBe(ref.length);
    ours.forEach((w, i) => {
      expect(maxRelError(w, ref[i]!)).toBeLessThan(1e-3);
      expect(maxRelError(w, init[i]!)).toBeGreaterThan(1e-5); // it did train (BN moving stats move least)
    });
  });
});
