/**
 * Recognise an image by its first bytes, never by its name: decides "not an image" versus "an image format this
 * build cannot read", and which extensions a format may carry.
 */

/** Formats sharp decodes in this build (AVIF and HEIF both come through libheif). */
export type SupportedFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff' | 'avif' | 'heif';

export interface Sniffed {
  /** Supported format, a known-but-unsupported image format name, or null when the bytes are no image we know. */
  format: SupportedFormat | null;
  unsupported?: string;
  /** From the header where it is cheap to read (PNG, GIF, JPEG); otherwise left to sharp. */
  width?: number;
  height?: number;
  channels?: number;
}

const EXTENSIONS: Record<SupportedFormat, string[]> = {
  jpeg: ['.jpg', '.jpeg', '.jpe', '.jfif'],
  png: ['.png'],
  webp: ['.webp'],
  gif: ['.gif'],
  tiff: ['.tif', '.tiff'],
  avif: ['.avif'],
  heif: ['.heic', '.heif', '.hif'],
};

/** Every extension an image file in a dataset usually has (used to tell "wrong extension" from "no extension"). */
export const IMAGE_EXTENSIONS = new Set([
  ...Object.values(EXTENSIONS).flat(),
  '.bmp', '.dib', '.ico', '.psd', '.jxl', '.jp2', '.j2k', '.svg', '.pdf', '.exr', '.ppm', '.pgm', '.pbm', '.pnm', '.qoi', '.dds', '.tga', '.cr2', '.nef', '.dng', '.arw',
]);

export function extensionFits(format: SupportedFormat, ext: string): boolean {
  return EXTENSIONS[format].includes(ext.toLowerCase());
}

export function preferredExtension(format: SupportedFormat): string {
  return EXTENSIONS[format][0] as string;
}

function ascii(buf: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < Math.min(buf.length, start + len); i++) s += String.fromCharCode(buf[i]!);
  return s;
}

export function sniff(buf: Uint8Array): Sniffed {
  const b = buf;
  const n = b.length;
  if (n >= 24 && b[0] === 0x89 && ascii(b, 1, 3) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a) return sniffPng(b);
  if (n >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return sniffJpeg(b);
  if (n >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    return { format: 'gif', width: b[6]! | (b[7]! << 8), height: b[8]! | (b[9]! << 8), channels: 3 };
  }
  if (n >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return { format: 'webp' };
  if (n >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))) return { format: 'tiff' };
  if (n >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const brand = ascii(b, 8, 4);
    if (brand === 'avif' || brand === 'avis') return { format: 'avif' };
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return { format: 'heif' };
    if (brand === 'crx ') return { format: null, unsupported: 'Canon CR3 raw' };
  }
  if (n >= 2 && b[0] === 0x42 && b[1] === 0x4d) return { format: null, unsupported: 'BMP' };
  if (n >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0) return { format: null, unsupported: 'ICO' };
  if (n >= 4 && ascii(b, 0, 4) === '8BPS') return { format: null, unsupported: 'Photoshop PSD' };
  if ((n >= 2 && b[0] === 0xff && b[1] === 0x0a) || (n >= 12 && ascii(b, 4, 4) === 'JXL ')) return { format: null, unsupported: 'JPEG XL' };
  if (n >= 12 && ascii(b, 4, 4) === 'jP  ') return { format: null, unsupported: 'JPEG 2000' };
  if (n >= 4 && ascii(b, 0, 4) === '%PDF') return { format: null, unsupported: 'PDF' };
  if (n >= 4 && ascii(b, 0, 4) === 'qoif') return { format: null, unsupported: 'QOI' };
  if (n >= 4 && ascii(b, 0, 4) === 'DDS ') return { format: null, unsupported: 'DDS' };
  if (n >= 4 && b[0] === 0x76 && b[1] === 0x2f && b[2] === 0x31 && b[3] === 0x01) return { format: null, unsupported: 'OpenEXR' };
  if (n >= 3 && b[0] === 0x50 && b[1]! >= 0x31 && b[1]! <= 0x36 && (b[2] === 0x0a || b[2] === 0x20 || b[2] === 0x0d)) return { format: null, unsupported: 'Netpbm (PPM/PGM)' };
  const head = ascii(b, 0, Math.min(n, 256)).trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return { format: null, unsupported: 'SVG' };
  return { format: null };
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

function sniffPng(b: Uint8Array): Sniffed {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Sniffed = { format: 'png' };
  if (ascii(b, 12, 4) === 'IHDR') {
    out.width = dv.getUint32(16);
    out.height = dv.getUint32(20);
    if (b.length > 25) out.channels = PNG_CHANNELS[b[25]!] ?? 3;
  }
  return out;
}

/** Walk the JPEG markers to the first start-of-frame for its size and component count. */
function sniffJpeg(b: Uint8Array): Sniffed {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      return { format: 'jpeg', height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]!, channels: b[i + 9]! };
    }
    if (marker === 0xda || marker === 0xd9) break;
    i += 2 + len;
  }
  return { format: 'jpeg' };
}
