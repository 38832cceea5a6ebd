import type { AugmentParams } from './params';
import { Rng } from './prng';

/**
 * The maths both paths share. Geometry is one affine map from output pixel indices to input pixel indices
 * (pixel i sits at coordinate i, as in tf.image.transform and libvips' affine); colour is one 3×3 matrix
 * plus an offset, clamped once at the end.
 */

/** [a0, a1, a2, b0, b1, b2]: input x = a0·X + a1·Y + a2, input y = b0·X + b1·Y + b2. */
export type InverseAffine = [number, number, number, number, number, number];

type M2 = [number, number, number, number]; // row-major [m00, m01, m10, m11]
const mul = (p: M2, q: M2): M2 => [p[0] * q[0] + p[1] * q[2], p[0] * q[1] + p[1] * q[3], p[2] * q[0] + p[3] * q[2], p[2] * q[1] + p[3] * q[3]];
const inv = (m: M2): M2 => {
  const det = m[0] * m[3] - m[1] * m[2];
  return [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det];
};

export function hasGeometry(p: AugmentParams): boolean {
  return p.hflip || p.vflip || p.scale !== 1 || p.rotate !== 0 || p.translateX !== 0 || p.translateY !== 0 || p.shear !== 0 || p.stretchX !== 1 || p.stretchY !== 1;
}

/**
 * Forward, about the image centre: flip → stretch → shear → rotate → translate → zoom by s and crop the
 * window at (cropX, cropY). Returned inverted, because resampling asks "where does this output pixel come from".
 */
export function inverseAffine(p: AugmentParams, size: number): InverseAffine {
  const c = (size - 1) / 2;
  const th = (p.rotate * Math.PI) / 180;
  const cos = Math.cos(th);
  const sin = Math.sin(th);
  // y points down on screen, so a counter-clockwise turn as seen is [cos, sin; −sin, cos]
  const R: M2 = [cos, sin, -sin, cos];
  const Sh: M2 = [1, Math.tan((p.shear * Math.PI) / 180), 0, 1];
  const St: M2 = [p.stretchX, 0, 0, p.stretchY];
  const F: M2 = [p.hflip ? -1 : 1, 0, 0, p.vflip ? -1 : 1];
  const B = mul(R, mul(Sh, mul(St, F)));
  const Bi = inv(B);
  const s = p.scale;
  const tx = p.translateX * size;
  const ty = p.translateY * size;
  const dx = (p.cropX - 0.5) * (s - 1) * size;
  const dy = (p.cropY - 0.5) * (s - 1) * size;
  // u = B⁻¹((U + d)/s − T), x = u + c, U = X − c
  const vx = (-c + dx) / s - tx;
  const vy = (-c + dy) / s - ty;
  return [Bi[0] / s, Bi[1] / s, Bi[0] * vx + Bi[1] * vy + c, Bi[2] / s, Bi[3] / s, Bi[2] * vx + Bi[3] * vy + c];
}

export function applyInverse(m: InverseAffine, X: number, Y: number): [number, number] {
  return [m[0] * X + m[1] * Y + m[2], m[3] * X + m[4] * Y + m[5]];
}

// YIQ: hue is a rotation of (I, Q) and saturation a scaling of it, with luma Y untouched.
const YIQ = [0.299, 0.587, 0.114, 0.595716, -0.274453, -0.321263, 0.211456, -0.522591, 0.311135];

function mul3(a: number[], b: number[]): number[] {
  const o = new Array<number>(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) o[i * 3 + j]! += a[i * 3 + k]! * b[k * 3 + j]!;
  return o;
}

function inv3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m as [number, number, number, number, number, number, number, number, number];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((v) => v / det);
}
const YIQ_INV = inv3(YIQ);

export function hasColor(p: AugmentParams): boolean {
  return p.brightness !== 1 || p.contrast !== 1 || p.saturation !== 1 || p.hue !== 0;
}

/**
 * out = clamp(K·rgb + offset) on values in [0, 1]: brightness (×b), contrast (stretch around mid-grey 0.5),
 * then saturation and hue in YIQ. Because the YIQ matrix keeps grey grey (M·1 = 1), the order of the linear
 * and matrix steps does not matter, and there is one clamp, at the end.
 */
export function colorTransform(p: AugmentParams, channels: 1 | 3): { K: number[]; offset: number } {
  const a = p.brightness * p.contrast;
  const offset = 0.5 * (1 - p.contrast);
  if (channels === 1) return { K: [a], offset };
  const th = 2 * Math.PI * p.hue;
  const s = p.saturation;
  const D = [1, 0, 0, 0, s * Math.cos(th), -s * Math.sin(th), 0, s * Math.sin(th), s * Math.cos(th)];
  const M = mul3(YIQ_INV, mul3(D, YIQ));
  return { K: M.map((v) => v * a), offset };
}

/** The erased rectangle in pixels and its fill values (uint8, row-major w×h×channels). */
export interface EraseRegion {
  x0: number;
  y0: number;
  w: number;
  h: number;
  values: Uint8Array;
}

/** Whether an image (interleaved channels) is grey: every pixel has equal channels. One channel is always grey. */
export function isGreyImage(pixels: ArrayLike<number>, channels: 1 | 3, start = 0, end = pixels.length): boolean {
  if (channels === 1) return true;
  for (let i = start; i + 2 < end; i += 3) if (pixels[i] !== pixels[i + 1] || pixels[i] !== pixels[i + 2]) return false;
  return true;
}

/**
 * `grey`: the image being erased is greyscale (e.g. Fashion-MNIST read as RGB), so random noise is grey too:
 * one value per pixel on every channel, never colour a greyscale image could not contain.
 */
export function eraseRegion(p: AugmentParams, size: number, channels: 1 | 3, mean: readonly number[] = [0.5, 0.5, 0.5], grey = false): EraseRegion | null {
  const e = p.erase;
  if (!e) return null;
  const w = Math.max(1, Math.min(size, Math.round(e.w * size)));
  const h = Math.max(1, Math.min(size, Math.round(e.h * size)));
  const x0 = Math.max(0, Math.min(size - w, Math.round(e.cx * size - w / 2)));
  const y0 = Math.max(0, Math.min(size - h, Math.round(e.cy * size - h / 2)));
  const values = new Uint8Array(w * h * channels);
  if (e.fill === 'random') {
    const rng = new Rng(e.noiseSeed);
    if (grey && channels === 3) {
      for (let i = 0; i < values.length; i += 3) values[i] = values[i + 1] = values[i + 2] = Math.floor(rng.next() * 256);
    } else {
      for (let i = 0; i < values.length; i++) values[i] = Math.floor(rng.next() * 256);
    }
  } else {
    const m = channels === 1 ? [mean.length === 1 ? mean[0]! : 0.299 * mean[0]! + 0.587 * mean[1]! + 0.114 * mean[2]!] : mean;
    for (let i = 0; i < values.length; i++) values[i] = Math.round(Math.min(1, Math.max(0, m[i % channels]!)) * 255);
  }
  return { x0, y0, w, h, values };
}
