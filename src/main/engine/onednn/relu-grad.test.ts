// The fused ReLU gradient (one native pass) against tfjs's own gradient on its reference CPU kernels: sizes from
// one value to one split across threads, zeros, negatives and NaN in x, and an upstream gradient with ±Infinity.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasFusedReluGrad } from '../relu-grad-op';
import { maxRelError, randomArray, seeded } from '../test-util';
import { registerWasmTrainingKernels } from '../wasm/register';
import { loadOneDnn } from './addon';
import { registerOneDnnKernels, unregisterOneDnnKernels } from './register';

const native = loadOneDnn();
const fused = native.ok && typeof native.addon.reluGrad === 'function';
if (!fused) console.warn(`SKIPPED fused ReLU gradient tests: ${native.ok ? 'the addon was built before reluGrad' : native.reason}`);

/** x with some exact zeros and a NaN; dy with an Infinity where x is negative (0·∞ is NaN in tfjs's rule too). */
function inputs(size: number, seed: number): { x: Float32Array; dy: Float32Array } {
  const r = seeded(seed);
  const x = randomArray(r, size);
  const dy = randomArray(r, size);
  for (let i = 0; i < size; i += 5) x[i] = 0;
  if (size > 3) {
    x[1] = NaN;
    x[2] = -0.5;
    dy[2] = Infinity;
  }
  return { x, dy };
}

/** dL/dx of Σ relu(x)·dy on `backend`, and the kernels that computed it. */
async function gradOn(backend: string, shape: number[], v: { x: Float32Array; dy: Float32Array }): Promise<{ dx: Float32Array; kernels: string[] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  let dx = new Float32Array(0);
  const info = await tf.profile(() => {
    const out = tf.tidy(() => {
      const x = tf.tensor(v.x, shape);
      const dy = tf.tensor(v.dy, shape);
      return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), dy)))(x);
    });
    dx = new Float32Array(out.dataSync());
    out.dispose();
  });
  expect(tf.memory().numTensors).toBe(before);
  return { dx, kernels: info.kernelNames };
}

describe.skipIf(!fused)('fused ReLU gradient (native) equals tfjs\'s gradient', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    if (native.ok) registerOneDnnKernels(native.addon);
  });
  afterAll(() => unregisterOneDnnKernels());

  const shapes = [[1], [4], [2, 5, 5, 3], [64, 14, 14, 32], [70, 9, 7, 3]];
  shapes.forEach((shape, k) => {
    it(`shape [${shape.join(', ')}]`, async () => {
      const v = inputs(shape.reduce((a, b) => a * b, 1), 40 + k);
      const ref = await gradOn('cpu', shape, v);
      const ours = await gradOn('wasm', shape, v);
      expect(hasFusedReluGrad()).toBe(true);
      expect(ours.kernels).toContain('LabReluGrad');
      expect(ours.kernels).not.toContain('Step');
      expect(ref.kernels).toContain('Step');
      // NaN where tfjs gives NaN, equal elsewhere.
      expect(Array.from(ours.dx, Number.isNaN)).toEqual(Array.from(ref.dx, Number.isNaN));
      const finite = (a: Float32Array) => a.map((z) => (Number.isNaN(z) ? 0 : z));
      expect(maxRelError(finite(ours.dx), finite(ref.dx))).toBe(0);
    });
  });

  it('without the kernel (wasm only) tfjs\'s three ops give the same gradient', async () => {
    unregisterOneDnnKernels();
    try {
      const v = inputs(300, 9);
      const plain = await gradOn('wasm', [300], v);
      expect(plain.kernels).toContain('Step');
      const ref = await gradOn('cpu', [300], v);
      expect(Array.from(plain.dx, Number.isNaN)).toEqual(Array.from(ref.dx, Number.isNaN));
    } finally {
      if (native.ok) registerOneDnnKernels(native.addon);
    }
  });
});
