// col2im: the adjoint of im2col. Adds each row's (kh, kw, ci) columns back onto the input pixels they came from;
// used for the input gradient when the stride is above 1 (stride 1 runs as a plain convolution instead).
import type { ConvGeometry } from './conv-geometry';

/** `dx` must be zeroed by the caller for the images [n0, n1). */
export function col2im(cols: Float32Array, g: ConvGeometry, n0: number, n1: number, dx: Float32Array): void {
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
            o += FW * C;
            continue;
          }
          const xRow = xImage + ih * W * C;
          for (let kw = 0; kw < FW; kw++) {
            const iw = iwBase + kw * dw;
            if (iw >= 0 && iw < W) {
              let dst = xRow + iw * C;
              for (let c = 0; c < C; c++) dx[dst++] += cols[o + c];
            }
            o += C;
          }
        }
        row++;
      }
    }
  }
}
