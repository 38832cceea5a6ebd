// Test helpers: run the same kernel on tfjs's reference CPU backend and on another backend, compare to 1e-4 relative.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomArray(rand: () => number, size: number): Float32Array {
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = rand() * 2 - 1;
  return a;
}

/** Largest |a−b| / max(1, |b|) — relative where values are large, absolute near zero. */
export function maxRelError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const e = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
  }
  return worst;
}

export interface TensorSpec {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype?: 'float32' | 'int32';
}

/** Runs `kernelName` through the engine on the given backend and returns the output values and shape. */
export async function runOn(
  backend: string,
  kernelName: string,
  inputs: Record<string, TensorSpec>,
  attrs: tf.NamedAttrMap,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  await tf.ready();
  const ts: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) ts[k] = tf.tensor(v.values, v.shape, v.dtype ?? 'float32');
  const out = tf.engine().runKernel(kernelName, ts, attrs) as tf.Tensor;
  const values = new Float32Array(await out.data());
  const shape = out.shape.slice();
  out.dispose();
  for (const t of Object.values(ts)) t.dispose();
  return { values, shape };
}
