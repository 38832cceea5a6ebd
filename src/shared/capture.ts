/**
 * Camera capture (#19): the schemas of the capture calls, their results, and the folder-name rule for capture and
 * class names (checked the same way in the renderer, as the person types, and in the engine, before any write).
 * Imports nothing from node or the DOM.
 */
import { z } from 'zod';
import { msg, type LabMessage } from './messages';

/** Longest capture or class name kept (a folder name; well under every file system's limit). */
export const CAPTURE_NAME_MAX = 100;
/** Largest encoded frame accepted (bytes). A 1280×720 JPEG is ~100–300 kB. */
export const CAPTURE_FRAME_MAX_BYTES = 4 * 1024 * 1024;
/** Largest side kept: frames are validated and re-encoded, never stored larger than this. */
export const CAPTURE_FRAME_MAX_SIDE = 4096;

/** Folder names a class-folders import would read as a split (scan.ts's SPLIT_DIRS), or a tool dropping. */
const SPLIT_NAMES = new Set(['train', 'training', 'val', 'valid', 'validation', 'test', 'testing']);
const SYSTEM_NAMES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|__macosx|thumbs\.db|desktop\.ini)$/i;
// eslint-disable-next-line no-control-regex -- control characters are exactly what a folder name may not hold
const BAD_CHAR = /[<>:"/\\|?*\x00-\x1f\x7f]/;

export type NameKind = 'capture' | 'class';

/**
 * Why `name` (already trimmed by the caller or not) cannot be a capture or class folder name, or null when it can.
 * The same rule as the folders the import reads: no separators, nothing hidden, nothing read as a split.
 */
export function folderNameProblem(name: string, kind: NameKind): LabMessage | null {
  const what = msg(kind === 'capture' ? 'capture.what.capture' : 'capture.what.class');
  if (name.length === 0) return msg('capture.name.empty', { what, max: CAPTURE_NAME_MAX });
  if ([...name].length > CAPTURE_NAME_MAX) return msg('capture.name.tooLong', { what, name: name.slice(0, 40) + '…', max: CAPTURE_NAME_MAX });
  const bad = BAD_CHAR.exec(name);
  if (bad) {
    const c = bad[0];
    const char = c.charCodeAt(0) < 0x20 || c === '\x7f' ? `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : `"${c}"`;
    return msg('capture.name.badChar', { what, name, char });
  }
  if (/^[.\s]|[.\s]$/.test(name)) return msg('capture.name.dot', { what, name });
  if (SPLIT_NAMES.has(name.toLowerCase())) return msg('capture.name.reserved', { what, name, why: msg('capture.name.split') });
  if (SYSTEM_NAMES.test(name) || SYSTEM_NAMES.test(name.replace(/\..*$/, ''))) return msg('capture.name.reserved', { what, name, why: msg('capture.name.system') });
  return null;
}

const name = z.string().trim().min(1).max(CAPTURE_NAME_MAX * 4);
/** base64 of at most CAPTURE_FRAME_MAX_BYTES bytes (4 characters per 3 bytes). */
const base64 = z
  .string()
  .min(4)
  .max(Math.ceil(CAPTURE_FRAME_MAX_BYTES / 3) * 4 + 4)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

export const SaveFrameRequestSchema = z.object({
  capture: name,
  className: name,
  /** The encoded frame (JPEG, PNG or WebP from a canvas), base64. */
  data: base64,
});

export const DeleteFrameRequestSchema = z.object({
  capture: name,
  /** CapturedFrame.id: "<class>/<file>". */
  frame: z.string().min(3).max(CAPTURE_NAME_MAX * 4 + 100),
});

export const FramesQuerySchema = z.object({
  capture: name,
  className: name.optional(),
  /** Newest first. */
  limit: z.number().int().min(1).max(1000).default(200),
});

export const CaptureToDatasetSchema = z.object({
  capture: name,
  /** Also take the images of this imported dataset (referenced where they are, never copied): a new merged dataset. */
  mergeWith: z.string().min(1).max(200).optional(),
  jobId: z.string().min(1).max(100).optional(),
});

export type SaveFrameRequest = z.input<typeof SaveFrameRequestSchema>;

/** One frame the lab wrote. */
export interface CapturedFrame {
  /** "<class>/<file>": what capture.deleteFrame takes. */
  id: string;
  className: string;
  file: string;
  bytes: number;
  width: number;
  height: number;
  /** ISO time it was written. */
  at: string;
  /** A small JPEG data URL (capture.frames only). */
  thumb?: string;
}

export interface CaptureSummary {
  name: string;
  /** The folder of class subfolders the frames are in (inside the workspace). */
  dir: string;
  classes: { name: string; frames: number }[];
  frames: number;
  createdAt: string;
  updatedAt: string;
  /** The dataset this capture was last imported as (capture.toDataset), if any. */
  datasetId?: string;
}
