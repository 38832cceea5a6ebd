// MaxPoolGrad for the wasm backend: the shared flat-array kernel (its own scalar loop is 3–5× slower here).
import * as tf from '@tensorflow/tfjs';
import { maxPoolGrad } from '../kernels/max-pool-grad';
import { alloc, f32, type WasmBackend } from './heap';

export function maxPoolGradWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy!;
  const input = inputs.input!;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
  );
  const dx = alloc(backend, input.shape);
  maxPoolGrad(f32(backend, input), f32(backend, dy), info, f32(backend, dx));
  return dx;
}
