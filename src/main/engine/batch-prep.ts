// Batch preparation that can run beside the training step: gather a batch's rows of uint8 pixels and convert them
// to the model's float range. With the oneDNN kernels active the addon does it on a worker thread, so the next
// batch is ready while the current one trains; elsewhere the same arithmetic runs here (training/input.ts's loop).
import * as tf from '@tensorflow/tfjs';
import type { Preprocessing } from '../../shared/dto';
import { registeredAddon } from './onednn/active-addon';

/** Rows `rows` of `x` (rows of `rowBytes` bytes) as float32: x/255 ('unit') or x/127.5 − 1 ('symmetric'). */
export function gatherToFloatSync(x: Uint8Array, rows: ArrayLike<number>, rowBytes: number, normalization: Preprocessing['normalization']): Float32Array {
  const out = new Float32Array(rows.length * rowBytes);
  for (let i = 0; i < rows.length; i++) {
    const from = rows[i]! * rowBytes;
    const at = i * rowBytes;
    if (normalization === 'unit') for (let k = 0; k < rowBytes; k++) out[at + k] = x[from + k]! / 255;
    else for (let k = 0; k < rowBytes; k++) out[at + k] = x[from + k]! / 127.5 - 1;
  }
  return out;
}

/** Whether gatherToFloat runs off the JS thread (the oneDNN kernels are active and the addon has it). */
export function gatherRunsInBackground(): boolean {
  const addon = registeredAddon();
  return addon !== null && typeof addon.gatherToFloat === 'function' && tf.getBackend() === 'wasm';
}

/**
 * The same result as gatherToFloatSync, computed on a worker thread when the oneDNN kernels are active. `x` and
 * `rows` must not change until the promise settles.
 */
export async function gatherToFloat(x: Uint8Array, rows: Int32Array, rowBytes: number, normalization: Preprocessing['normalization']): Promise<Float32Array> {
  const addon = registeredAddon();
  if (!addon?.gatherToFloat || tf.getBackend() !== 'wasm') return gatherToFloatSync(x, rows, rowBytes, normalization);
  const out = new Float32Array(rows.length * rowBytes);
  await addon.gatherToFloat(x, rows, rowBytes, normalization === 'unit' ? 0 : 1, out);
  return out;
}
