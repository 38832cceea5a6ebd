// tfjs's convolution description → the 17 integers the native kernels take (native/onednn/src/conv.h).
import type { backend_util } from '@tensorflow/tfjs';

/**
 * N, IH, IW, IC, OC, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, OH, OW — or null where oneDNN cannot express the
 * geometry (a 'valid' convolution whose stride leaves rows unused needs negative right padding).
 */
export function convParams(info: backend_util.Conv2DInfo): Int32Array | null {
  const { padInfo: pad } = info;
  // oneDNN requires OH = ⌊(IH + PT + PB − effKH)/SH⌋ + 1; derive PB (and PR) from tfjs's output size. A stride
  // that leaves the last rows unused gives a negative exact value, where 0 satisfies the floor just as well.
  const pb = padAfter(info.inHeight, info.outHeight, info.strideHeight, info.effectiveFilterHeight, pad.top);
  const pr = padAfter(info.inWidth, info.outWidth, info.strideWidth, info.effectiveFilterWidth, pad.left);
  if (pb === null || pr === null || pad.top < 0 || pad.left < 0) return null;
  if (info.outHeight <= 0 || info.outWidth <= 0 || info.batchSize <= 0) return null;
  return Int32Array.from([
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.dilationHeight, info.dilationWidth, pad.top, pad.left, pb, pr, info.outHeight, info.outWidth,
  ]);
}

function padAfter(size: number, out: number, stride: number, effFilter: number, before: number): number | null {
  const exact = (out - 1) * stride + effFilter - size - before;
  const pad = Math.max(0, exact);
  return Math.floor((size + before + pad - effFilter) / stride) + 1 === out ? pad : null;
}
