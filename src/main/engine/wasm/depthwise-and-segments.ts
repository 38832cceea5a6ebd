// The depthwise-convolution gradients and UnsortedSegmentSum, which the wasm backend does not have at all,
// computed by the shared flat-array kernels directly on the wasm heap.
import * as tf from '@tensorflow/tfjs';
import { geometryOf } from '../kernels/conv-geometry';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from '../kernels/depthwise-backprop';
import { unsortedSegmentSum } from '../kernels/unsorted-segment-sum';
import { alloc, f32, type WasmBackend } from './heap';

type Args = { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: tf.NamedAttrMap };
type Shape4 = [number, number, number, number];

function depthwiseInfo(xShape: Shape4, filterShape: Shape4, attrs: tf.NamedAttrMap) {
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
    true,
  );
}

export function depthwiseBackpropFilterWasm({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const x = inputs.x!;
  const dy = inputs.dy!;
  const filterShape = attrs.filterShape as Shape4;
  const g = geometryOf(depthwiseInfo(x.shape as Shape4, filterShape, attrs));
  const dw = alloc(backend, filterShape);
  depthwiseBackpropFilter(f32(backend, x), f32(backend, dy), g, f32(backend, dw));
  return dw;
}

export function depthwiseBackpropInputWasm({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const dy = inputs.dy!;
  const filter = inputs.filter!;
  const inputShape = attrs.inputShape as Shape4;
  const g = geometryOf(depthwiseInfo(inputShape, filter.shape as Shape4, attrs));
  const dx = alloc(backend, inputShape);
  depthwiseBackpropInput(f32(backend, dy), f32(backend, filter), g, f32(backend, dx));
  return dx;
}

export function unsortedSegmentSumWasm({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const x = inputs.x!;
  const ids = inputs.segmentIds!;
  const numSegments = attrs.numSegments as number;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: dtype ${x.dtype} is not supported`);
  const idsRank = ids.shape.length;
  const innerShape = x.shape.slice(idsRank);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  const idValues = backend.typedArrayFromHeap(ids);
  const idsI32 = idValues instanceof Int32Array ? idValues : Int32Array.from(idValues);
  unsortedSegmentSum(
    backend.typedArrayFromHeap(x) as Float32Array | Int32Array,
    idsI32,
    numSegments,
    inner,
    backend.typedArrayFromHeap(out) as Float32Array | Int32Array,
  );
  return out;
}
