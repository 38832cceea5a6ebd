import sharp from 'sharp';
import { colorTransform, eraseRegion, hasColor, hasGeometry, inverseAffine, isGreyImage } from './geometry';
import type { AugmentParams } from './params';

/**
 * The reference implementation: sharp (libvips) applies the drawn parameters to one image. Colour first
 * (recomb + linear, rounded and clamped once), then the border the fill mode asks for (constant / repeat edge /
 * mirror, so the fill colour is exactly the one chosen), then one bilinear affine, and the output window is
 * cut out. Erasing writes the rectangle last. Used for previews and for written augmented copies.
 *
 * libvips facts this relies on (checked by the equivalence tests): in one sharp pipeline `extract` runs before
 * `affine` and `recomb` before `linear`, so the window cut is done after the pipeline; float → uchar truncates;
 * raw float input does not survive sharp 0.34, so every step takes uint8 pixels.
 */

export interface RawDims {
  width: number;
  height: number;
  channels: 1 | 3;
}

export interface SharpAugmentOptions {
  /** Dataset mean per channel in [0, 1] (erasing with fill = mean). */
  mean?: number[];
}

/** Symmetric ("mirror", edge pixel repeated) index into [0, n), as libvips' mirror extend and tfjs' reflect fill. */
function mirrorIndex(i: number, n: number): number {
  const period = 2 * n;
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - 1 - k;
  return k;
}

/**
 * The border the fill mode asks for, P pixels on every side: what sharp's extend (background / copy / mirror)
 * gives, done as a plain copy here because it saves one libvips pipeline per preview image.
 */
function padImage(src: Uint8Array, size: number, channels: number, P: number, mode: AugmentParams['fill']['mode'], bg: number): Uint8Array {
  const W = size + 2 * P;
  const out = new Uint8Array(W * W * channels);
  if (mode === 'constant') out.fill(bg);
  for (let y = 0; y < W; y++) {
    const sy = y - P;
    if (mode === 'constant' && (sy < 0 || sy >= size)) continue;
    const ry = mode === 'nearest' ? Math.min(size - 1, Math.max(0, sy)) : mirrorIndex(sy, size);
    for (let x = 0; x < W; x++) {
      const sx = x - P;
      if (mode === 'constant' && (sx < 0 || sx >= size)) continue;
      const rx = mode === 'nearest' ? Math.min(size - 1, Math.max(0, sx)) : mirrorIndex(sx, size);
      const from = (ry * size + rx) * channels;
      const to = (y * W + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = src[from + c]!;
    }
  }
  return out;
}

const rawOf = (width: number, height: number, channels: number) => ({ raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } });

/** First `channels` bands of interleaved pixels (libvips may add bands, e.g. a colour background on grey). */
function keepBands(data: Uint8Array, have: number, want: number): Uint8Array {
  if (have === want) return data;
  const n = data.length / have;
  const out = new Uint8Array(n * want);
  for (let i = 0; i < n; i++) for (let c = 0; c < want; c++) out[i * want + c] = data[i * have + c]!;
  return out;
}

async function toRaw(img: sharp.Sharp, channels: number): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data: keepBands(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.channels, channels), width: info.width, height: info.height };
}

function withColor(img: sharp.Sharp, channels: 1 | 3, p: AugmentParams): sharp.Sharp {
  if (!hasColor(p)) return img;
  const { K, offset } = colorTransform(p, channels);
  // libvips truncates float → uchar; +0.5 makes that a rounding, like the batch path's ×255 then round
  const o = offset * 255 + 0.5;
  if (channels === 1) return img.linear(K[0]!, o);
  return img
    .recomb([
      [K[0]!, K[1]!, K[2]!],
      [K[3]!, K[4]!, K[5]!],
      [K[6]!, K[7]!, K[8]!],
    ])
    .linear([1, 1, 1], [o, o, o]);
}

/** Geometry: size×size uint8 out of a size×size uint8 image. */
async function geometry(src: Uint8Array, size: number, channels: 1 | 3, p: AugmentParams): Promise<Uint8Array> {
  const m = inverseAffine(p, size);
  // how far outside the image the output reaches: pad that much (+2 for the bilinear neighbours)
  let reach = 0;
  for (const [X, Y] of [[0, 0], [size - 1, 0], [0, size - 1], [size - 1, size - 1]] as const) {
    const x = m[0] * X + m[1] * Y + m[2];
    const y = m[3] * X + m[4] * Y + m[5];
    reach = Math.max(reach, -x, -y, x - (size - 1), y - (size - 1));
  }
  const P = Math.ceil(Math.max(0, reach)) + 2;
  const bg = Math.round(p.fill.value * 255);
  const background = { r: bg, g: bg, b: bg, alpha: 1 };
  const padded = { data: padImage(src, size, channels, P, p.fill.mode, bg), width: size + 2 * P };
  const Wp = padded.width;
  // libvips maps forward: X = A·x + t with A = L⁻¹, t = −A·c; in padded coordinates t' = t − A·(P, P).
  // The integer part of t' becomes the window position, the fraction goes to odx/ody.
  const det = m[0] * m[4] - m[1] * m[3];
  const A: [number, number, number, number] = [m[4] / det, -m[1] / det, -m[3] / det, m[0] / det];
  const tx = -(A[0] * (m[2] + P) + A[1] * (m[5] + P));
  const ty = -(A[2] * (m[2] + P) + A[3] * (m[5] + P));
  const nx = Math.floor(tx);
  const ny = Math.floor(ty);
  // libvips' default output area: the rounded bounding box of A applied to the input rectangle (odx/ody excluded)
  const xs = [0, A[0] * Wp, A[1] * Wp, A[0] * Wp + A[1] * Wp];
  const ys = [0, A[2] * Wp, A[3] * Wp, A[2] * Wp + A[3] * Wp];
  const left = Math.floor(Math.min(...xs) + 0.5);
  const top = Math.floor(Math.min(...ys) + 0.5);
  const img = sharp(padded.data, rawOf(Wp, Wp, channels)).affine(A, { odx: tx - nx, ody: ty - ny, interpolator: sharp.interpolators.bilinear, background });
  const full = await toRaw(img, channels);
  const x0 = -nx - left;
  const y0 = -ny - top;
  if (x0 < 0 || y0 < 0 || x0 + size > full.width || y0 + size > full.height) {
    throw new Error(`augmentWithSharp: output window ${x0},${y0} outside the ${full.width}×${full.height} affine result`);
  }
  const out = new Uint8Array(size * size * channels);
  const row = size * channels;
  for (let y = 0; y < size; y++) out.set(full.data.subarray(((y0 + y) * full.width + x0) * channels, ((y0 + y) * full.width + x0) * channels + row), y * row);
  return out;
}

/**
 * Augment one image. input: raw interleaved uint8 pixels of `dims`; it is squashed to size×size first
 * (a no-op for images from the decoded cache). Returns size×size×channels uint8.
 */
export async function augmentWithSharp(
  input: Buffer | Uint8Array,
  dims: RawDims,
  params: AugmentParams,
  size: number,
  channels: 1 | 3 = dims.channels,
  opts: SharpAugmentOptions = {},
): Promise<Uint8Array> {
  let base: Uint8Array;
  if (dims.width === size && dims.height === size && dims.channels === channels) {
    base = input instanceof Uint8Array ? input : new Uint8Array(input);
  } else {
    let img = sharp(input, rawOf(dims.width, dims.height, dims.channels)).resize(size, size, { fit: 'fill' });
    img = channels === 1 ? img.toColourspace('b-w') : img.toColourspace('srgb');
    base = (await toRaw(img, channels)).data;
  }
  // colour first (one rounding), then geometry on uint8 (one more): error ≤ 1 level whatever the colour gain
  let out = hasColor(params) ? (await toRaw(withColor(sharp(base, rawOf(size, size, channels)), channels, params), channels)).data : Uint8Array.from(base);
  if (hasGeometry(params)) out = await geometry(out, size, channels, params);
  const er = params.erase ? eraseRegion(params, size, channels, opts.mean, isGreyImage(out, channels)) : null;
  if (er) {
    for (let y = 0; y < er.h; y++) out.set(er.values.subarray(y * er.w * channels, (y + 1) * er.w * channels), ((er.y0 + y) * size + er.x0) * channels);
  }
  return out;
}

/** Raw pixels → PNG bytes. */
export async function encodePng(pixels: Uint8Array, size: number, channels: 1 | 3): Promise<Buffer> {
  return sharp(pixels, rawOf(size, size, channels)).png({ compressionLevel: 1 }).toBuffer();
}

export async function pngDataUrl(pixels: Uint8Array, size: number, channels: 1 | 3): Promise<string> {
  return `data:image/png;base64,${(await encodePng(pixels, size, channels)).toString('base64')}`;
}
