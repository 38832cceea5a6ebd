// Conv2DBackpropFilter for the wasm backend, which has none: dW[K, Co] = im2colᵀ(x)[K, M] · dy[M, Co] on
// XNNPACK's matmul (~25–35 GFLOP/s here; the transposed-operand matmul falls back to a ~3 GFLOP/s loop, so
// the columns are built already transposed and dy is used as it is). Images are processed in chunks to bound
// the buffer; the chunks' products are summed.
import * as tf from '@tensorflow/tfjs';
import { geometryOf } from '../kernels/conv-geometry';
import { im2colT } from '../kernels/im2col-t';
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

  if (pixels === 0) {
    const zeros = alloc(backend, filterShape);
    f32(backend, zeros).fill(0);
    return zeros;
  }
  const scratch = new Float32Array(g.inHeight * g.inWidth * g.inChannels);
  let dw: tf.TensorInfo | null = null;
  for (let n0 = 0; n0 < g.batchSize; n0 += chunk) {
    const n1 = Math.min(g.batchSize, n0 + chunk);
    const M = (n1 - n0) * pixels;
    const colsT = alloc(backend, [1, K, M]);
    im2colT(f32(backend, x), g, n0, n1, f32(backend, colsT), scratch);
    const dyChunk = { dataId: dy.dataId, dtype: dy.dtype, shape: [1, M, Co] };
    let dyPart: tf.TensorInfo = dyChunk;
    if (n0 !== 0 || n1 !== g.batchSize) {
      dyPart = alloc(backend, [1, M, Co]);
      const dyAll = f32(backend, dy);
      f32(backend, dyPart).set(dyAll.subarray(n0 * pixels * Co, n1 * pixels * Co));
    }
    const prod = callKernel(backend, 'BatchMatMul', { a: colsT, b: dyPart }, { transposeA: false, transposeB: false });
    free(backend, colsT);
    if (dyPart !== dyChunk) free(backend, dyPart);
    if (!dw) {
      dw = prod;
    } else {
      const p = f32(backend, prod);
      const acc = f32(backend, dw);
      for (let i = 0; i < acc.length; i++) acc[i]! += p[i]!;
      free(backend, prod);
    }
  }
  return { dataId: dw!.dataId, dtype: 'float32', shape: filterShape };
}
