// When oneDNN refuses a call, the kernel that was registered before computes it: a run never fails because of
// the optional native path. Uses an addon that refuses everything, so it runs with or without the real build.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { maxRelError, randomArray, seeded } from '../test-util';
import { registerWasmTrainingKernels } from '../wasm/register';
import type { OneDnnAddon } from './addon';
import { registerOneDnnKernels, unregisterOneDnnKernels } from './register';

const refuse = (): never => {
  throw new Error('oneDNN: could not create a primitive descriptor');
};
const refusingAddon: OneDnnAddon = {
  convForward: refuse, convBackwardData: refuse, convBackwardWeights: refuse, batchNormForward: refuse,
  depthwiseForward: refuse, depthwiseBackwardData: refuse, depthwiseBackwardWeights: refuse,
  batchNormBackward: refuse, maxPoolGrad: refuse, matmul: refuse, convImplementations: () => '', version: () => 'fake',
};

describe('oneDNN kernels fall back to the WebAssembly kernels when the native call fails', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    registerOneDnnKernels(refusingAddon);
    await tf.setBackend('wasm');
  });
  afterAll(() => unregisterOneDnnKernels());

  it('a convolution, its gradients, a matmul and a pooling gradient still give the reference values', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const r = seeded(3);
    const xv = randomArray(r, 2 * 6 * 6 * 3);
    const wv = randomArray(r, 3 * 3 * 3 * 4);
    const compute = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, [2, 6, 6, 3]);
        const w = tf.tensor4d(wv, [3, 3, 3, 4]);
        const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), 2, 2, 'valid')));
        const [dx, dw] = tf.grads(loss)([x, w]);
        const m = tf.matMul(x.reshape([12, 18]), w.reshape([27, 4]).slice([0, 0], [18, 4]));
        return [dx!, dw!, m].map((t) => t.dataSync().slice() as Float32Array);
      });
    const ours = compute();
    await tf.setBackend('cpu');
    const ref = compute();
    await tf.setBackend('wasm');
    ours.forEach((o, i) => expect(maxRelError(o, ref[i]!)).toBeLessThan(1e-4));
    const said = stderr.mock.calls.map((c) => String(c[0])).filter((s) => s.startsWith('oneDNN '));
    stderr.mockRestore();
    expect(said.some((s) => /Conv2D failed \(oneDNN: could not create a primitive descriptor\); using the WebAssembly kernel/.test(s))).toBe(true);
    // Once per kernel, not once per call.
    expect(new Set(said).size).toBe(said.length);
  });
});
