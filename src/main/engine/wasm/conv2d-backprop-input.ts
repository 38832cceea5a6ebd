// Conv2DBackpropInput for the wasm backend (its own is a scalar loop, ~2.6 GFLOP/s here).
// Stride 1: the input gradient is a convolution of dy with the filter rotated 180° and its in/out channels
// swapped, with padding (F-1)·d − pad before — one XNNPACK convolution, nothing done in JS but the tiny filter.
// Stride > 1: dcols[M, K] = dy[M, Co] · Wᵀ[Co, K] on XNNPACK's matmul, then col2im adds the columns back.
import * as tf from '@tensorflow/tfjs';
import { col2im } from '../kernels/col2im';
import { geometryOf } from '../kernels/conv-geometry';
import { transpose2d } from '../kernels/transpose2d';
import { alloc, callKernel, f32, free, type WasmBackend } from './heap';

export function rotateFilter(w: Float32Array, FH: number, FW: number, Ci: number, Co: number, out: Float32Array): void {
  // out[kh, kw, co, ci] = w[FH-1-kh, FW-1-kw, ci, co]
  for (let kh = 0; kh < FH; kh++) {
    for (let kw = 0; kw < FW; kw++) {
      const src = ((FH - 1 - kh) * FW + (FW - 1 - kw)) * Ci * Co;
      const dst = (kh * FW + kw) * Co * Ci;
      transpose2d(w, Ci, Co, out, src, dst);
    }
  }
}

export function conv2dBackpropInputWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: WasmBackend;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const dy = inputs.dy!;
  const filter = inputs.filter!;
  const inputShape = attrs.inputShape as [number, number, number, number];
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput: NCHW is not supported on the CPU path');
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same',
    attrs.dimRoundingMode as 'round' | undefined,
  );
  const g = geometryOf(info);
  const { filterHeight: FH, filterWidth: FW, inChannels: Ci, outChannels: Co } = g;

  if (g.outHeight * g.outWidth === 0) {
    const zeros = alloc(backend, inputShape);
    f32(backend, zeros).fill(0);
    return zeros;
  }
  if (g.strideHeight === 1 && g.strideWidth === 1) {
    const rotated = alloc(backend, [FH, FW, Co, Ci]);
    rotateFilter(f32(backend, filter), FH, FW, Ci, Co, f32(backend, rotated));
    const padTop = (FH - 1) * g.dilationHeight - g.padTop;
    const padLeft = (FW - 1) * g.dilationWidth - g.padLeft;
    const padBottom = g.inHeight - g.outHeight + g.padTop;
    const padRight = g.inWidth - g.outWidth + g.padLeft;
    const dx = callKernel(
      backend,
      'Conv2D',
      { x: dy, filter: rotated },
      {
        strides: [1, 1],
        pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [g.dilationHeight, g.dilationWidth],
      } as unknown as tf.NamedAttrMap,
    );
    free(backend, rotated);
    return dx;
  }

  const K = FH * FW * Ci;
  const M = g.batchSize * g.outHeight * g.outWidth;
  const wT = alloc(backend, [1, Co, K]);
  transpose2d(f32(backend, filter), K, Co, f32(backend, wT));
  const dy3 = { ...dy, shape: [1, M, Co] };
  const cols = callKernel(backend, 'BatchMatMul', { a: dy3, b: wT }, { transposeA: false, transposeB: false });
  const dx = alloc(backend, inputShape);
  const dxView = f32(backend, dx);
  dxView.fill(0);
  col2im(f32(backend, cols), g, 0, g.batchSize, dxView);
  free(backend, wT, cols);
  return dx;
}
