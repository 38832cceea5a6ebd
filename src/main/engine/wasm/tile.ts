// Tile for the wasm backend: its own is an element-by-element loop and was the largest kernel of a training
// step (the batch-norm gradient tiles per-channel factors to the whole activation).
import * as tf from '@tensorflow/tfjs';
import { tile, tileShape } from '../kernels/tile';
import { type WasmBackend } from './heap';

export function tileWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const reps = attrs.reps as number[];
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`Tile: dtype ${x.dtype} is not supported here`);
  const out = backend.makeOutput(tileShape(x.shape, reps), x.dtype);
  const xs = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const os = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  tile(xs, x.shape, reps, os);
  return out;
}
