// MaxPoolGrad on flat arrays with channels innermost, so every window scan walks contiguous memory.
// Ties go to the first maximum in window scan order, as in tfjs's reference kernel (matters after ReLU zeros).
import type { backend_util } from '@tensorflow/tfjs';

export function maxPoolGrad(
  x: Float32Array,
  dy: Float32Array,
  info: backend_util.Conv2DInfo,
  dx: Float32Array,
): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: EFH, effectiveFilterWidth: EFW } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  dx.fill(0);
  for (let n = 0; n < N; n++) {
    const xImage = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = oh * sh - padTop;
      let rMin = r0;
      while (rMin < 0) rMin += dh;
      const rMax = Math.min(H, r0 + EFH);
      for (let ow = 0; ow < OW; ow++) {
        const c0 = ow * sw - padLeft;
        let cMin = c0;
        while (cMin < 0) cMin += dw;
        const cMax = Math.min(W, c0 + EFW);
        best.fill(-Infinity);
        where.fill(-1);
        for (let r = rMin; r < rMax; r += dh) {
          for (let col = cMin; col < cMax; col += dw) {
            const base = xImage + (r * W + col) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c]!;
              if (v > best[c]!) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          const at = where[c]!;
          if (at >= 0) dx[at] = dx[at]! + dy[dyBase + c]!;
        }
      }
    }
  }
}
