/**
 * Check one file's content: is it an image this build can decode, whole, not a decompression bomb, with an
 * extension that matches. The full decode doubles as the decoded-cache row when an input size is given.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import type { InputConfig } from '../../shared/config';
import type { FileProblem } from '../../shared/dto';
import { decodePngFast, PngCorruptError } from './png-fast';
import { readImageFile } from './read-file';
import { MAX_PIXELS, preprocess } from './preprocess';
import { extensionFits, IMAGE_EXTENSIONS, preferredExtension, sniff, type SupportedFormat } from './sniff';

export type Reason = FileProblem['reason'];

/** Bigger files are not read into memory at all. */
export const MAX_FILE_BYTES = 256 * 2 ** 20;

export interface FileCheck {
  /** sha1 of the bytes (duplicates are exact copies) */
  hash: string | null;
  format: SupportedFormat | null;
  width: number | null;
  height: number | null;
  channels: number | null;
  /** A problem that keeps the file out of training (empty, corrupt, not an image…). */
  problem: { reason: Reason; message: string } | null;
  /** Extension does not match the content: reported, but the image is used. */
  wrongExtension: string | null;
}

export interface CheckedFile extends FileCheck {
  /** Preprocessed pixels when an input config was given and the file is usable. */
  pixels: Uint8Array | null;
}

const mp = (px: number): string => `${Math.round(px / 1e6).toLocaleString('en')} megapixels`;

function failed(reason: Reason, message: string, hash: string | null = null): CheckedFile {
  return { hash, format: null, width: null, height: null, channels: null, problem: { reason, message }, wrongExtension: null, pixels: null };
}

/** sharp's decode errors → a reason and a sentence that says what to do. */
function describeDecodeError(err: unknown, format: string): { reason: Reason; message: string } {
  const text = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(text)) return { reason: 'too-large', message: `The image has more than ${mp(MAX_PIXELS)} (the limit that guards against decompression bombs). Resize it before importing.` };
  if (format === 'heif' && /(unsupported|no decoding plugin|compression format)/i.test(text)) {
    return { reason: 'unsupported-format', message: `HEIF/HEIC with HEVC compression cannot be decoded by this build (${text.trim()}). Convert it to JPEG or PNG.` };
  }
  if (err instanceof PngCorruptError) return { reason: 'corrupt', message: `The PNG is damaged: ${text}. Re-export or re-download the file.` };
  return { reason: 'corrupt', message: `The ${format.toUpperCase()} data is damaged or truncated (${text.trim().split('\n')[0]}). Re-export or re-download the file.` };
}

export async function checkImage(buf: Uint8Array, filePath: string, input?: InputConfig): Promise<CheckedFile> {
  if (buf.length === 0) return failed('empty', 'The file is empty (0 bytes). Delete it or copy it again from the source.');
  const hash = createHash('sha1').update(buf).digest('hex');
  const ext = path.extname(filePath).toLowerCase();
  const s = sniff(buf);
  if (!s.format) {
    if (s.unsupported) return failed('unsupported-format', `${s.unsupported} images are not supported (extension "${ext || 'none'}"). Convert it to PNG or JPEG.`, hash);
    const hint = IMAGE_EXTENSIONS.has(ext) ? `Its name ends in ${ext} but its content is not an image` : 'Its content is not an image';
    return failed('not-an-image', `${hint}. Remove it from the folder, or replace it with the real image.`, hash);
  }
  const format = s.format;
  let { width, height, channels } = s;
  if (width === undefined || height === undefined || channels === undefined) {
    try {
      const meta = await sharp(buf, { limitInputPixels: false }).metadata();
      width = meta.width;
      height = meta.height;
      channels = meta.channels;
    } catch (err) {
      return { ...failed(describeDecodeError(err, format).reason, describeDecodeError(err, format).message, hash), format };
    }
  }
  const base: CheckedFile = { hash, format, width: width ?? null, height: height ?? null, channels: channels ?? null, problem: null, wrongExtension: null, pixels: null };
  if (!extensionFits(format, ext)) {
    base.wrongExtension = `The content is ${format.toUpperCase()} but the name ends in "${ext || '(no extension)'}". The image is used; rename it to ${preferredExtension(format)} so other tools read it correctly.`;
  }
  if (width !== undefined && height !== undefined && width * height > MAX_PIXELS) {
    return { ...base, problem: { reason: 'too-large', message: `The image is ${width}×${height} (${mp(width * height)}), above the ${mp(MAX_PIXELS)} limit that guards against decompression bombs. Resize it before importing.` } };
  }
  try {
    if (input) base.pixels = await preprocess(buf, input);
    else if (format !== 'png' || !decodePngFast(buf)) {
      // Decode every pixel (truncation shows only at the end), cheaply: shrink-on-load and a tiny output.
      await sharp(buf, { failOn: 'warning', limitInputPixels: MAX_PIXELS }).resize(32, 32, { fit: 'inside', withoutEnlargement: true }).raw().toBuffer();
    }
  } catch (err) {
    return { ...base, problem: describeDecodeError(err, format) };
  }
  return base;
}

function readError(err: unknown): { reason: 'unreadable' | 'symlink-loop'; message: string } {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return { reason: 'symlink-loop', message: 'This symbolic link points back to itself: skipped. Remove the link.' };
  if (code === 'EACCES' || code === 'EPERM') return { reason: 'unreadable', message: 'Permission denied: the lab may not read this file. Make it readable (e.g. chmod a+r) and import again.' };
  if (code === 'ENOENT') return { reason: 'unreadable', message: 'The file disappeared during the import. Import again.' };
  return { reason: 'unreadable', message: `The file cannot be read (${code ?? (err as Error).message}). Check the disk and the file's permissions.` };
}

/** Read and check one file found by the scan (its size is known, so huge files are refused unread). */
export async function checkFile(file: string, size: number, input: InputConfig | undefined): Promise<CheckedFile> {
  const none = { hash: null, format: null, width: null, height: null, channels: null, wrongExtension: null, pixels: null };
  if (size > MAX_FILE_BYTES) {
    return { ...none, problem: { reason: 'too-large', message: `The file is ${Math.round(size / 2 ** 20)} MiB, above the ${MAX_FILE_BYTES / 2 ** 20} MiB limit per image. Resize or recompress it.` } };
  }
  let buf: Buffer;
  try {
    buf = await readImageFile(file, size);
  } catch (err) {
    return { ...none, problem: readError(err) };
  }
  return checkImage(buf, file, input);
}

