// Fast kernels for tfjs's JS CPU backend (the fallback when wasm cannot start): the two that dominated a
// training step there, both reading through TensorBuffer.get in tfjs, rewritten over flat arrays.
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilter } from '../kernels/conv2d-backprop-filter';
import { geometryOf } from '../kernels/conv-geometry';
import { maxPoolGrad } from '../kernels/max-pool-grad';

/** The parts of tfjs-backend-cpu's MathBackendCPU we use. */
export interface CpuBackend {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: Float32Array): tf.TensorInfo;
}

type Args = { inputs: tf.NamedTensorInfoMap; backend: CpuBackend; attrs: tf.NamedAttrMap };

function values(backend: CpuBackend, info: tf.TensorInfo): Float32Array {
  const v = backend.data.get(info.dataId).values;
  if (!(v instanceof Float32Array)) throw new Error(`expected float32 data, got ${info.dtype}`);
  return v;
}

export function conv2dBackpropFilterCpu({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const x = inputs.x!;
  const dy = inputs.dy!;
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter: NCHW is not supported on the CPU path');
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
  );
  const out = new Float32Array(filterShape.reduce((a, b) => a * b, 1));
  conv2dBackpropFilter(values(backend, x), values(backend, dy), geometryOf(info), out);
  return backend.makeTensorInfo(filterShape, 'float32', out);
}

export function maxPoolGradCpu({ inputs, backend, attrs }: Args): tf.TensorInfo {
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
  const out = new Float32Array(input.shape.reduce((a, b) => a * b, 1));
  maxPoolGrad(values(backend, input), values(backend, dy), info, out);
  return backend.makeTensorInfo(input.shape, 'float32', out);
}
