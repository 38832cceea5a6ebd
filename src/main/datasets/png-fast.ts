/**
 * A small PNG decoder for the common dataset case (8-bit, non-interlaced, no colour profile): decoding a 28×28 PNG
 * through sharp costs a libvips pipeline per image, which dominates import time for datasets of tiny images.
 * PNG is lossless, so these pixels are exactly the ones sharp would decode; anything unusual returns null and
 * goes to sharp. Corruption (bad CRC, truncated or short zlib data) throws, as libpng would.
 */
import zlib from 'node:zlib';

export interface RawImage {
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA */
  channels: 1 | 2 | 3 | 4;
  data: Uint8Array;
}

export class PngCorruptError extends Error {}

const COLOR_CHANNELS: Record<number, 1 | 2 | 3 | 4> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };
/** Images above this are left to sharp (streamed decoding, shrink-on-load). */
const MAX_FAST_PIXELS = 1 << 22;

function chunkType(buf: Uint8Array, at: number): string {
  return String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
}

export function decodePngFast(buf: Uint8Array): RawImage | null {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  let palette: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos + 12 <= buf.length) {
    const len = dv.getUint32(pos);
    const type = chunkType(buf, pos + 4);
    if (pos + 12 + len > buf.length) throw new PngCorruptError(`the file ends inside its ${type} chunk (truncated)`);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    const crc = dv.getUint32(pos + 8 + len);
    if (zlib.crc32(buf.subarray(pos + 4, pos + 8 + len)) >>> 0 !== crc) throw new PngCorruptError(`the ${type} chunk fails its checksum (corrupt)`);
    pos += 12 + len;
    if (type === 'IHDR') {
      width = dv.getUint32(pos - 12 - len + 8);
      height = dv.getUint32(pos - 12 - len + 12);
      const depth = body[8]!;
      colorType = body[9]!;
      const interlace = body[12]!;
      if (depth !== 8 || interlace !== 0 || !(colorType in COLOR_CHANNELS) || width * height > MAX_FAST_PIXELS || width === 0 || height === 0) return null;
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') trns = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'iCCP' || type === 'eXIf' || type === 'cICP') return null; // sharp would colour-manage or rotate
    else if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (colorType < 0) throw new PngCorruptError('it has no IHDR header (corrupt)');
  if (!ended) throw new PngCorruptError('the file ends before its IEND chunk (truncated)');
  if (idat.length === 0) throw new PngCorruptError('it has no image data (corrupt)');
  if (colorType === 3 && !palette) throw new PngCorruptError('a palette image without a palette (corrupt)');
  // A transparent colour key on grey/RGB images would add an alpha channel in libvips: leave those to sharp.
  if (trns && colorType !== 3) return null;
  const srcCh = colorType === 3 ? 1 : COLOR_CHANNELS[colorType]!;
  const stride = width * srcCh;
  let raw: Buffer;
  try {
    // One output chunk of the expected size: no chunk list to grow and concatenate.
    raw = zlib.inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat), { chunkSize: Math.max(64, (stride + 1) * height + 1) });
  } catch (err) {
    throw new PngCorruptError(`its compressed data is damaged (${(err as Error).message})`);
  }
  if (raw.length < (stride + 1) * height) throw new PngCorruptError('its image data is shorter than its size says (truncated)');
  const pixels = unfilter(raw, width, height, srcCh);
  if (colorType !== 3) return { width, height, channels: COLOR_CHANNELS[colorType]!, data: pixels };
  const pal = palette!;
  const outCh = trns ? 4 : 3;
  const out = new Uint8Array(width * height * outCh);
  for (let i = 0; i < width * height; i++) {
    const p = pixels[i]!;
    if (p * 3 + 2 >= pal.length) throw new PngCorruptError('a pixel refers past the end of its palette (corrupt)');
    out[i * outCh] = pal[p * 3]!;
    out[i * outCh + 1] = pal[p * 3 + 1]!;
    out[i * outCh + 2] = pal[p * 3 + 2]!;
    if (outCh === 4) out[i * 4 + 3] = p < trns!.length ? trns![p]! : 255;
  }
  return { width, height, channels: outCh, data: out };
}

/**
 * Undo the per-row filters in place: output row y lands at y·stride, before its source at y·(stride+1)+1, and only
 * bytes already read are overwritten, so no second buffer is needed.
 */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = raw;
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    const up = dst - stride;
    switch (filter) {
      case 0:
        out.copyWithin(dst, src, src + stride);
        break;
      case 1:
        for (let x = 0; x < stride; x++) out[dst + x] = raw[src + x]! + (x >= bpp ? out[dst + x - bpp]! : 0);
        break;
      case 2:
        for (let x = 0; x < stride; x++) out[dst + x] = raw[src + x]! + (y > 0 ? out[up + x]! : 0);
        break;
      case 3:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[dst + x - bpp]! : 0;
          const b = y > 0 ? out[up + x]! : 0;
          out[dst + x] = raw[src + x]! + ((a + b) >> 1);
        }
        break;
      case 4:
        for (let x = 0; x < stride; x++) {
          const a = x >= bpp ? out[dst + x - bpp]! : 0;
          const b = y > 0 ? out[up + x]! : 0;
          const c = x >= bpp && y > 0 ? out[up + x - bpp]! : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          out[dst + x] = raw[src + x]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        break;
      default:
        throw new PngCorruptError(`row ${y} has an unknown filter type ${filter} (corrupt)`);
    }
  }
  return out.subarray(0, stride * height);
}
