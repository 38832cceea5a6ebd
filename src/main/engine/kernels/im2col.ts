// im2col for NHWC input: one row per output pixel of images [n0, n1), columns ordered (kh, kw, ci) like the
// filter's [FH, FW, Ci, Co] layout, so `rows · filter` is the convolution and `dyᵀ · rows` the filter gradient.
// Writes are sequential and each (kh, kw) copies a contiguous channel run, which is what keeps this cheap.
import type { ConvGeometry } from './conv-geometry';

export function im2col(x: Float32Array, g: ConvGeometry, n0: number, n1: number, out: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = g;
  const { dilationHeight: dh, dilationWidth: dw, padTop, padLeft } = g;
  const K = FH * FW * C;
  let row = 0;
  for (let n = n0; n < n1; n++) {
    const xImage = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const ihBase = oh * sh - padTop;
      for (let ow = 0; ow < OW; ow++) {
        const iwBase = ow * sw - padLeft;
        let o = row * K;
        for (let kh = 0; kh < FH; kh++) {
          const ih = ihBase + kh * dh;
          if (ih < 0 || ih >= H) {
            out.fill(0, o, o + FW * C);
            o += FW * C;
            continue;
          }
          const xRow = xImage + ih * W * C;
          for (let kw = 0; kw < FW; kw++) {
            const iw = iwBase + kw * dw;
            if (iw < 0 || iw >= W) {
              out.fill(0, o, o + C);
            } else {
              let src = xRow + iw * C;
              for (let c = 0; c < C; c++) out[o + c] = x[src++];
            }
            o += C;
          }
        }
        row++;
      }
    }
  }
}
