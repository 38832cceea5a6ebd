// Transposed im2col: rowsᵀ[k, m] with k = (kh, kw, ci) in filter order and m = output pixel of images [n0, n1),
// so the filter gradient is the plain product rowsᵀ · dy[M, Co] (no transposes around the matmul).
// Each image is first made channel-major (small, stays in cache); every row is then built from contiguous
// runs of one input row, with zeros where the window hangs over the padding.
import type { ConvGeometry } from './conv-geometry';
import { transpose2d } from './transpose2d';

export function im2colT(
  x: Float32Array,
  g: ConvGeometry,
  n0: number,
  n1: number,
  out: Float32Array,
  scratch: Float32Array = new Float32Array(g.inHeight * g.inWidth * g.inChannels),
): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = g;
  const { dilationHeight: dh, dilationWidth: dw, padTop, padLeft } = g;
  const P = OH * OW;
  const M = (n1 - n0) * P;
  const plane = H * W;
  for (let n = n0; n < n1; n++) {
    transpose2d(x, plane, C, scratch, n * plane * C, 0); // scratch = [C, H, W]
    const mBase = (n - n0) * P;
    for (let kh = 0; kh < FH; kh++) {
      for (let kw = 0; kw < FW; kw++) {
        // Output columns whose input column iw = ow·sw − padLeft + kw·dw lies inside [0, W).
        const off = kw * dw - padLeft;
        const owLo = Math.min(OW, Math.max(0, Math.ceil(-off / sw)));
        const owHi = Math.max(owLo, Math.min(OW, Math.floor((W - 1 - off) / sw) + 1));
        for (let ci = 0; ci < C; ci++) {
          const k = (kh * FW + kw) * C + ci;
          let o = k * M + mBase;
          const src = ci * plane;
          for (let oh = 0; oh < OH; oh++, o += OW) {
            const ih = oh * sh - padTop + kh * dh;
            if (ih < 0 || ih >= H) {
              out.fill(0, o, o + OW);
              continue;
            }
            const rowStart = src + ih * W + off;
            for (let ow = 0; ow < owLo; ow++) out[o + ow] = 0;
            if (sw === 1) {
              for (let ow = owLo; ow < owHi; ow++) out[o + ow] = scratch[rowStart + ow]!;
            } else {
              for (let ow = owLo; ow < owHi; ow++) out[o + ow] = scratch[rowStart + ow * sw]!;
            }
            for (let ow = owHi; ow < OW; ow++) out[o + ow] = 0;
          }
        }
      }
    }
  }
}
