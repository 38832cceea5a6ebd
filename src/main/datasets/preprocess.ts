/**
 * The one preprocessing path from an image file to model input pixels: EXIF rotation, alpha dropped, grey or sRGB,
 * resized to size×size with the chosen fit. The decoded cache and prediction both call it, so the lab and an
 * exported model see the same pixels.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { InputConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { decodePngFast, type RawImage } from './png-fast';

/** Larger images are refused as possible decompression bombs (a small file that decodes to gigabytes). */
export const MAX_PIXELS = 100_000_000;

const FIT: Record<InputConfig['fit'], 'fill' | 'cover' | 'contain'> = { squash: 'fill', crop: 'cover', letterbox: 'contain' };

function isPng(buf: Uint8Array): boolean {
  return buf.length > 8 && buf[0] === 0x89 && buf[1] === 0x50 && buf[2] === 0x4e && buf[3] === 0x47;
}

/** Drop alpha: libvips' removeAlpha does the same, so both paths agree. */
function withoutAlpha(img: RawImage): { data: Uint8Array; channels: 1 | 3 } {
  if (img.channels === 1 || img.channels === 3) return { data: img.data, channels: img.channels };
  const keep = img.channels - 1;
  const n = img.width * img.height;
  const out = new Uint8Array(n * keep);
  for (let i = 0; i < n; i++) for (let c = 0; c < keep; c++) out[i * keep + c] = img.data[i * img.channels + c]!;
  return { data: out, channels: keep as 1 | 3 };
}

/** Exact shortcuts for an image already at the target size whose channel change needs no colour maths. */
function trivialConvert(data: Uint8Array, channels: 1 | 3, target: 1 | 3): Uint8Array | null {
  if (channels === target) return data;
  if (channels === 1 && target === 3) {
    const out = new Uint8Array(data.length * 3);
    for (let i = 0; i < data.length; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = data[i]!;
    return out;
  }
  return null; // RGB → grey: libvips' formula, through sharp
}

async function runSharp(pipeline: sharp.Sharp, input: InputConfig): Promise<Uint8Array> {
  let img = pipeline.rotate().removeAlpha();
  img = input.channels === 1 ? img.grayscale() : img.toColourspace('srgb');
  img = img.resize(input.size, input.size, { fit: FIT[input.fit], position: 'centre', background: { r: 0, g: 0, b: 0, alpha: 1 } });
  const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const expected = input.size * input.size * input.channels;
  if (data.length === expected) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (info.channels === 1 && input.channels === 3 && data.length * 3 === expected) return trivialConvert(new Uint8Array(data), 1, 3)!;
  throw new LabError('INTERNAL', msg('error.preprocess.wrongShape', { width: info.width, height: info.height, channels: info.channels, size: input.size, inputChannels: input.channels }));
}

/**
 * Decode and preprocess one image to size×size×channels uint8 (NHWC). Throws sharp's or the PNG decoder's error for
 * a damaged file; callers that validate turn those into file problems.
 */
export async function preprocess(source: string | Uint8Array, input: InputConfig): Promise<Uint8Array> {
  if (typeof source !== 'string' && isPng(source)) {
    const raw = decodePngFast(source);
    if (raw) {
      if (raw.width === input.size && raw.height === input.size) {
        const flat = withoutAlpha(raw);
        const done = trivialConvert(flat.data, flat.channels, input.channels);
        if (done) return done;
      }
      // Alpha stays: sharp resizes premultiplied and drops alpha afterwards, and so must we to match it.
      const pipeline = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
      return runSharp(pipeline, input);
    }
  }
  return runSharp(sharp(source, { failOn: 'warning', limitInputPixels: MAX_PIXELS }), input);
}

/**
 * Prediction's entry: exactly the cache's preprocessing. A path or the file's bytes; damaged or unreadable input
 * becomes a LabError naming it.
 */
export async function decodeForModel(source: string | Buffer, input: InputConfig): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? await readFile(source) : source;
  } catch (err) {
    throw new LabError('UNREADABLE', msg('error.predict.cannotRead', { path: String(source), detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message }), { path: source });
  }
  try {
    return await preprocess(bytes, input);
  } catch (err) {
    if (err instanceof LabError) throw err;
    const what = typeof source === 'string' ? source : msg('error.predict.theImage');
    throw new LabError('UNREADABLE', msg('error.predict.notAnImage', { path: what, detail: (err as Error).message }), {
      ...(typeof source === 'string' ? { path: source } : {}),
    });
  }
}
