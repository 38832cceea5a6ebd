import * as tf from '@tensorflow/tfjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { getBackendInfo, initBackend, resetBackendSelectionForTests } from './backend';
import { loadOneDnn, type AddonLoad } from './onednn/addon';

beforeEach(() => resetBackendSelectionForTests());

const realImport = (name: string) => import(/* @vite-ignore */ name);
/** As on a machine where native/onednn was not built. */
const noNative = (): AddonLoad => ({ ok: false, reason: 'native kernels not built: run `npm run build:native`' });
const native = loadOneDnn();

describe('initBackend', () => {
  it('falls through the missing native packages to the wasm CPU path and says why', async () => {
    const info = await initBackend({ env: {}, loadNative: noNative });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.device).toBe('cpu');
    const gpu = info.candidates.find((c) => c.name === 'tensorflow-gpu')!;
    expect(gpu.loaded).toBe(false);
    expect(gpu.reason).toMatch(/not installed/);
    expect(info.candidates.find((c) => c.name === 'tensorflow')!.reason).toMatch(/not installed/);
    expect(info.candidates.find((c) => c.name === 'onednn')!.reason).toMatch(/not built: run `npm run build:native`/);
    expect(info.candidates.find((c) => c.name === 'wasm')!.loaded).toBe(true);
    expect(info.threads).toBe(1);
    expect(info.forcedBy).toBeUndefined();
    expect(getBackendInfo()).toBe(info);
    // And it trains: a convolution forward and both of its gradients on the wasm kernels.
    const x = tf.randomNormal([2, 6, 6, 3]) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 4]) as tf.Tensor4D;
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'))))([x, w]);
    expect(dx!.shape).toEqual([2, 6, 6, 3]);
    expect(Number.isFinite((await dw!.sum().data())[0]!)).toBe(true);
    tf.dispose([x, w, dx!, dw!]);
  });

  it('is idempotent', async () => {
    const a = await initBackend({ env: {} });
    const b = await initBackend({ env: { LAB_BACKEND: 'cpu' } });
    expect(b).toBe(a);
  });

  it('explains a GPU package whose CUDA libraries are missing', async () => {
    const importModule = async (name: string) => {
      if (name === '@tensorflow/tfjs-node-gpu') {
        throw new Error(
          'libcudart.so.11.0: cannot open shared object file: No such file or directory',
        );
      }
      return realImport(name);
    };
    const info = await initBackend({ env: {}, importModule, loadNative: noNative });
    const gpu = info.candidates.find((c) => c.name === 'tensorflow-gpu')!;
    expect(gpu.reason).toBe('libcudart.so.11.0 not found: install CUDA 11.2 + cuDNN 8.1 (and add them to the library path)');
    expect(info.name).toBe('wasm');
  });

  it('obeys LAB_BACKEND and says so', async () => {
    const info = await initBackend({ env: { LAB_BACKEND: 'cpu-fast' } });
    expect(info.name).toBe('cpu');
    expect(info.label).toMatch(/fast kernels/);
    expect(info.forcedBy).toBe('LAB_BACKEND=cpu-fast');
    expect(info.candidates.find((c) => c.name === 'tensorflow-gpu')!.reason).toBe('not tried: LAB_BACKEND=cpu-fast');
  });

  it('falls back with the reason when the forced backend cannot load', async () => {
    const info = await initBackend({ env: { LAB_BACKEND: 'tensorflow' }, loadNative: noNative });
    expect(info.name).toBe('wasm');
    expect(info.forcedBy).toMatch(/LAB_BACKEND=tensorflow \(failed: not installed.*fell back to wasm\)/);
  });

  it('rejects an unknown LAB_BACKEND naming the valid ones', async () => {
    await expect(initBackend({ env: { LAB_BACKEND: 'cuda' } })).rejects.toThrow(
      /LAB_BACKEND=cuda is not a backend; use one of tensorflow-gpu, tensorflow, onednn, wasm, cpu-fast, cpu/,
    );
  });

  it.skipIf(!native.ok)('prefers the oneDNN kernels when they are built, computing on every core', async () => {
    const info = await initBackend({ env: {} });
    expect(info.label).toMatch(/oneDNN/);
    expect(info.candidates.find((c) => c.name === 'onednn')!.loaded).toBe(true);
    expect(info.candidates.find((c) => c.name === 'wasm')!.reason).toMatch(/^not needed: CPU \(oneDNN native kernels/);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getKernel('LabBatchNormTrain', 'wasm')).toBeDefined();
  });
});
