// Conv2DBackpropFilter for the wasm backend, which has none: dWᵀ[Co, K] = dyᵀ[Co, M] · im2col(x)[M, K] on
// XNNPACK's matmul (~25–35 GFLOP/s here; the transposed-operand matmul falls back to a ~3 GFLOP/s loop, so
// both operands are laid out for the plain product). Images are processed in chunks to bound the im2col size.
import * as tf from '@tensorflow/tfjs';
import { geometryOf } from '../kernels/conv-geometry';
import { im2col } from '../kernels/im2col';
import { transpose2d } from '../kernels/transpose2d';
import { alloc, callKernel, f32, free, type WasmBackend } from './heap';

/** Upper bound on im2col floats per chunk (16 MiB). */
const CHUNK_FLOATS = 4 << 20;

export function conv2dBackpropFilterWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = inputs.x!;
  const dy = inputs.dy!;
  const filterShape = attrs.filterShape as [number, number, number, number];
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter: NCHW is not supported on the CPU path');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
  );
  const g = geometryOf(info);
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const Co = g.outChannels;
  const pixels = g.outHeight * g.outWidth;
  const chunk = Math.max(1, Math.min(g.batchSize, Math.floor(CHUNK_FLOATS / (pixels * K))));

  const acc = new Float32Array(Co * K);
  if (pixels === 0) {
    const zeros = alloc(backend, filterShape);
    f32(backend, zeros).fill(0);
    return zeros;
  }
  for (let n0 = 0; n0 < g.batchSize; n0 += chunk) {
    const n1 = Math.min(g.batchSize, n0 + chunk);
    const M = (n1 - n0) * pixels;
    const cols = alloc(backend, [1, M, K]);
    const dyT = alloc(backend, [1, Co, M]);
    im2col(f32(backend, x), g, n0, n1, f32(backend, cols));
    transpose2d(f32(backend, dy), M, Co, f32(backend, dyT), n0 * pixels * Co);
    const prod = callKernel(backend, 'BatchMatMul', { a: dyT, b: cols }, { transposeA: false, transposeB: false });
    const p = f32(backend, prod);
    for (let i = 0; i < acc.length; i++) acc[i]! += p[i]!;
    free(backend, cols, dyT, prod);
  }
  const dw = alloc(backend, filterShape);
  transpose2d(acc, Co, K, f32(backend, dw));
  return dw;
}
