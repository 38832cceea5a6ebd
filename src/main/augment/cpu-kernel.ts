import { colorTransform, eraseRegion, hasColor, hasGeometry, inverseAffine, isGreyImage } from './geometry';
import type { AugmentParams } from './params';

/**
 * The batch path fused into one pass per image for CPU-resident backends (tfjs cpu and wasm), where the
 * generic tensor kernels cost far more than the arithmetic: colour (clamped), bilinear affine with the
 * fill mode, erasing. Same maths and order as the tensor ops (checked by the equivalence tests).
 */

/** tf.image.transform's reflect: [dcba|abcd|dcba], i.e. mirror about the edge, repeating the edge pixel. */
function reflect(v: number, len: number): number {
  if (len <= 1) return 0;
  const sz2 = 2 * len;
  if (v < 0) {
    if (v < sz2) v = sz2 * Math.trunc(-v / sz2) + v;
    v = v < -len ? v + sz2 : -v - 1;
  } else if (v > len - 1) {
    v -= sz2 * Math.trunc(v / sz2);
    if (v >= len) v = sz2 - v - 1;
  }
  return Math.min(len - 1, Math.max(0, v));
}

function colorInPlace(img: Float32Array, channels: 1 | 3, p: AugmentParams): void {
  const { K, offset } = colorTransform(p, channels);
  if (channels === 1) {
    const a = K[0]!;
    for (let i = 0; i < img.length; i++) img[i] = Math.min(1, Math.max(0, a * img[i]! + offset));
    return;
  }
  const [k0, k1, k2, k3, k4, k5, k6, k7, k8] = K as [number, number, number, number, number, number, number, number, number];
  for (let i = 0; i < img.length; i += 3) {
    const r = img[i]!;
    const g = img[i + 1]!;
    const b = img[i + 2]!;
    img[i] = Math.min(1, Math.max(0, k0 * r + k1 * g + k2 * b + offset));
    img[i + 1] = Math.min(1, Math.max(0, k3 * r + k4 * g + k5 * b + offset));
    img[i + 2] = Math.min(1, Math.max(0, k6 * r + k7 * g + k8 * b + offset));
  }
}

function geometryInto(src: Float32Array, dst: Float32Array, dstOff: number, size: number, channels: number, p: AugmentParams, fillValue: number): void {
  const [a0, a1, a2, b0, b1, b2] = inverseAffine(p, size);
  const mode = p.fill.mode;
  const last = size - 1;
  const read = (yy: number, xx: number, c: number) => (yy >= 0 && yy < size && xx >= 0 && xx < size ? src[(yy * size + xx) * channels + c]! : fillValue);
  for (let Y = 0; Y < size; Y++) {
    for (let X = 0; X < size; X++) {
      let x = a0 * X + a1 * Y + a2;
      let y = b0 * X + b1 * Y + b2;
      if (mode === 'nearest') {
        x = Math.min(last, Math.max(0, x));
        y = Math.min(last, Math.max(0, y));
      } else if (mode === 'reflect') {
        x = reflect(x, size);
        y = reflect(y, size);
      }
      const o = dstOff + (Y * size + X) * channels;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      if (x0 >= 0 && y0 >= 0 && x0 < last && y0 < last) {
        // fast path: all four neighbours inside
        const i00 = (y0 * size + x0) * channels;
        const i10 = i00 + channels;
        const i01 = i00 + size * channels;
        const i11 = i01 + channels;
        for (let c = 0; c < channels; c++) {
          const top = (1 - fx) * src[i00 + c]! + fx * src[i10 + c]!;
          const bot = (1 - fx) * src[i01 + c]! + fx * src[i11 + c]!;
          dst[o + c] = (1 - fy) * top + fy * bot;
        }
      } else if (x0 < -1 || y0 < -1 || x0 > last || y0 > last) {
        for (let c = 0; c < channels; c++) dst[o + c] = fillValue;
      } else {
        for (let c = 0; c < channels; c++) {
          const top = (1 - fx) * read(y0, x0, c) + fx * read(y0, x0 + 1, c);
          const bot = (1 - fx) * read(y0 + 1, x0, c) + fx * read(y0 + 1, x0 + 1, c);
          dst[o + c] = (1 - fy) * top + fy * bot;
        }
      }
    }
  }
}

/** src: n×size×size×channels floats in [0, 1]. Returns a new array with every image augmented. */
export function augmentBatchCpu(src: Float32Array, n: number, size: number, channels: 1 | 3, params: AugmentParams[], mean?: number[]): Float32Array {
  const plane = size * size * channels;
  const out = new Float32Array(n * plane);
  const tmp = new Float32Array(plane);
  for (let i = 0; i < n; i++) {
    const p = params[i]!;
    const img = src.subarray(i * plane, (i + 1) * plane);
    let cur: Float32Array = img;
    if (hasColor(p)) {
      tmp.set(img);
      colorInPlace(tmp, channels, p);
      cur = tmp;
    }
    if (hasGeometry(p)) geometryInto(cur, out, i * plane, size, channels, p, Math.round(p.fill.value * 255) / 255);
    else out.set(cur, i * plane);
    const er = p.erase ? eraseRegion(p, size, channels, mean, isGreyImage(out, channels, i * plane, (i + 1) * plane)) : null;
    if (er) {
      for (let y = 0; y < er.h; y++)
        for (let k = 0; k < er.w * channels; k++) out[i * plane + ((er.y0 + y) * size + er.x0) * channels + k] = er.values[y * er.w * channels + k]! / 255;
    }
  }
  return out;
}
