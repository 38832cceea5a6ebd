// Depthwise-convolution gradients on flat NHWC arrays (filter [FH, FW, C, multiplier]); the inner loops run
// over the contiguous channel×multiplier run of one pixel.
import type { ConvGeometry } from './conv-geometry';

type Visit = (xBase: number, dyBase: number, wBase: number) => void;

function forEachTap(g: ConvGeometry, visit: Visit): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CM } = g;
  const { filterHeight: FH, filterWidth: FW, strideHeight: sh, strideWidth: sw } = g;
  const { dilationHeight: dh, dilationWidth: dw, padTop, padLeft } = g;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * CM;
        for (let kh = 0; kh < FH; kh++) {
          const ih = oh * sh - padTop + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < FW; kw++) {
            const iw = ow * sw - padLeft + kw * dw;
            if (iw < 0 || iw >= W) continue;
            visit(((n * H + ih) * W + iw) * C, dyBase, (kh * FW + kw) * CM);
          }
        }
      }
    }
  }
}

export function depthwiseBackpropFilter(x: Float32Array, dy: Float32Array, g: ConvGeometry, dw: Float32Array): void {
  const C = g.inChannels;
  const M = g.outChannels / C;
  dw.fill(0);
  forEachTap(g, (xBase, dyBase, wBase) => {
    for (let c = 0, j = 0; c < C; c++) {
      const xv = x[xBase + c]!;
      for (let q = 0; q < M; q++, j++) dw[wBase + j]! += xv * dy[dyBase + j]!;
    }
  });
}

export function depthwiseBackpropInput(dy: Float32Array, w: Float32Array, g: ConvGeometry, dx: Float32Array): void {
  const C = g.inChannels;
  const M = g.outChannels / C;
  dx.fill(0);
  forEachTap(g, (xBase, dyBase, wBase) => {
    for (let c = 0, j = 0; c < C; c++) {
      let s = 0;
      for (let q = 0; q < M; q++, j++) s += w[wBase + j]! * dy[dyBase + j]!;
      dx[xBase + c]! += s;
    }
  });
}
