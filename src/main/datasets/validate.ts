/**
 * Check one file's content: is it an image this build can decode, whole, not a decompression bomb, with an
 * extension that matches. The full decode doubles as the decoded-cache row when an input size is given.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import type { InputConfig } from '../../shared/config';
import type { FileProblem } from '../../shared/dto';
import { msg, said, type LabMessage } from '../../shared/messages';
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
  problem: { reason: Reason; message: string; msg?: LabMessage } | null;
  /** Extension does not match the content: reported, but the image is used. */
  wrongExtension: string | null;
  wrongExtensionMsg?: LabMessage;
}

export interface CheckedFile extends FileCheck {
  /** Preprocessed pixels when an input config was given and the file is usable. */
  pixels: Uint8Array | null;
}

const mp = (px: number): string => Math.round(px / 1e6).toLocaleString('en');

function failed(reason: Reason, m: LabMessage, hash: string | null = null): CheckedFile {
  return { hash, format: null, width: null, height: null, channels: null, problem: { reason, ...said(m) }, wrongExtension: null, pixels: null };
}

/** sharp's decode errors → a reason and a sentence that says what to do. */
function describeDecodeError(err: unknown, format: string): { reason: Reason; message: string; msg: LabMessage } {
  // sharp appends how its own option turned a warning into an error: noise to a person, so it is cut.
  const text = (err instanceof Error ? err.message : String(err)).replace(/\s*\(Warning treated as error due to failOn setting\)/gi, '');
  if (/pixel limit/i.test(text)) return { reason: 'too-large', ...said(msg('dataset.problem.pixelLimit', { limit: mp(MAX_PIXELS) })) };
  if (format === 'heif' && /(unsupported|no decoding plugin|compression format)/i.test(text)) {
    return { reason: 'unsupported-format', ...said(msg('dataset.problem.heif', { detail: text.trim() })) };
  }
  if (err instanceof PngCorruptError) return { reason: 'corrupt', ...said(msg('dataset.problem.pngDamaged', { detail: text })) };
  return { reason: 'corrupt', ...said(msg('dataset.problem.damaged', { format: format.toUpperCase(), detail: text.trim().split('\n')[0]! })) };
}

export async function checkImage(buf: Uint8Array, filePath: string, input?: InputConfig): Promise<CheckedFile> {
  if (buf.length === 0) return failed('empty', msg('dataset.problem.empty'));
  const hash = createHash('sha1').update(buf).digest('hex');
  const ext = path.extname(filePath).toLowerCase();
  const s = sniff(buf);
  if (!s.format) {
    if (s.unsupported) return failed('unsupported-format', msg('dataset.problem.unsupported', { kind: s.unsupported, ext: ext || msg('dataset.problem.noExtension') }), hash);
    return failed('not-an-image', IMAGE_EXTENSIONS.has(ext) ? msg('dataset.problem.notImageExt', { ext }) : msg('dataset.problem.notImage'), hash);
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
      const d = describeDecodeError(err, format);
      return { ...failed(d.reason, d.msg, hash), format };
    }
  }
  const base: CheckedFile = { hash, format, width: width ?? null, height: height ?? null, channels: channels ?? null, problem: null, wrongExtension: null, pixels: null };
  if (!extensionFits(format, ext)) {
    const m = msg('dataset.problem.wrongExtension', { format: format.toUpperCase(), ext: ext || msg('dataset.problem.noExtension'), preferred: preferredExtension(format) });
    base.wrongExtension = said(m).message;
    base.wrongExtensionMsg = m;
  }
  if (width !== undefined && height !== undefined && width * height > MAX_PIXELS) {
    return { ...base, problem: { reason: 'too-large', ...said(msg('dataset.problem.tooManyPixels', { width, height, mp: mp(width * height), limit: mp(MAX_PIXELS) })) } };
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

function readError(err: unknown): { reason: 'unreadable' | 'symlink-loop'; message: string; msg: LabMessage } {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return { reason: 'symlink-loop', ...said(msg('dataset.problem.linkSelf')) };
  if (code === 'EACCES' || code === 'EPERM') return { reason: 'unreadable', ...said(msg('dataset.problem.permission')) };
  if (code === 'ENOENT') return { reason: 'unreadable', ...said(msg('dataset.problem.disappeared')) };
  return { reason: 'unreadable', ...said(msg('dataset.problem.unreadable', { detail: code ?? (err as Error).message })) };
}

/** Read and check one file found by the scan (its size is known, so huge files are refused unread). */
export async function checkFile(file: string, size: number, input: InputConfig | undefined): Promise<CheckedFile> {
  const none = { hash: null, format: null, width: null, height: null, channels: null, wrongExtension: null, pixels: null };
  if (size > MAX_FILE_BYTES) {
    return { ...none, problem: { reason: 'too-large', ...said(msg('dataset.problem.fileTooLarge', { size: Math.round(size / 2 ** 20), limit: MAX_FILE_BYTES / 2 ** 20 })) } };
  }
  let buf: Buffer;
  try {
    buf = await readImageFile(file, size);
  } catch (err) {
    return { ...none, problem: readError(err) };
  }
  return checkImage(buf, file, input);
}

