// Direct filter gradient on flat NHWC arrays for the JS CPU path: for every output pixel and filter tap, the
// outer product x[ci] ⊗ dy[co] is added into dW[kh, kw] (a Ci×Co block that stays in cache). No im2col buffer,
// unit-stride inner loop over output channels.
import type { ConvGeometry } from './conv-geometry';

export function conv2dBackpropFilter(x: Float32Array, dy: Float32Array, g: ConvGeometry, dw: Float32Array): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: OH, outWidth: OW, outChannels: Co } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = g;
  const { dilationHeight: dh, dilationWidth: dwid, padTop, padLeft } = g;
  dw.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * Co;
        for (let kh = 0; kh < FH; kh++) {
          const ih = oh * sh - padTop + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = ow * sw - padLeft + kw * dwid;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * Ci;
            let wBase = (kh * FW + kw) * Ci * Co;
            for (let ci = 0; ci < Ci; ci++, wBase += Co) {
              const xv = x[xBase + ci]!;
              if (xv === 0) continue; // ReLU outputs are often zero
              for (let co = 0; co < Co; co++) dw[wBase + co]! += xv * dy[dyBase + co]!;
            }
          }
        }
      }
    }
  }
}
