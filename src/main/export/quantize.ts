/**
 * Weight quantisation shared by the tfjs and ONNX writers. Both formats dequantise the same way
 * (tfjs: v = q·scale + min; ONNX DequantizeLinear: v = (q − zeroPoint)·scale), so one quantiser
 * gives identical weights in either export.
 */

export type QuantizeMode = 'none' | 'float16' | 'uint8';

export interface Uint8Quantized {
  bytes: Uint8Array;
  scale: number;
  /** min = −zeroPoint·scale: the range is nudged so that 0 is exactly representable (as the tfjs converter does). */
  min: number;
  zeroPoint: number;
}

/** Affine 8-bit quantisation over the tensor's range (widened to include 0). */
export function quantizeUint8(values: Float32Array): Uint8Quantized {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  const min = -zeroPoint * scale;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    bytes[i] = Math.min(255, Math.max(0, Math.round(values[i] / scale) + zeroPoint));
  }
  return { bytes, scale, min, zeroPoint };
}

export function dequantizeUint8(q: Uint8Quantized): Float32Array {
  const out = new Float32Array(q.bytes.length);
  for (let i = 0; i < out.length; i++) out[i] = (q.bytes[i] - q.zeroPoint) * q.scale;
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary32 → binary16 bits, round to nearest even; overflow → ±Inf, tiny → subnormal/0. */
export function toFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // underflows to ±0
    mant |= 0x800000; // implicit leading 1
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rem > midpoint || (rem === midpoint && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry into the exponent is still correct
  return sign | half;
}

export function toFloat16Array(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = toFloat16Bits(values[i]);
  return out;
}

export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The weights as the quantised export will hold them (what a reader gets back after dequantising). */
export function roundTrip(values: Float32Array, mode: QuantizeMode): Float32Array {
  if (mode === 'float16') return Float32Array.from(toFloat16Array(values), fromFloat16Bits);
  if (mode === 'uint8') return dequantizeUint8(quantizeUint8(values));
  return values;
}
