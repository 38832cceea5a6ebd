/**
 * Camera frames into a lab-owned dataset: each frame arrives encoded (from the renderer's canvas), is checked to be
 * an image by sharp, re-encoded as JPEG (no metadata) and written to <workspace>/captures/<capture>/images/<class>/.
 * Only frames the lab wrote (listed in the ledger, unchanged since) are ever deleted.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import {
  CAPTURE_FRAME_MAX_BYTES,
  CAPTURE_FRAME_MAX_SIDE,
  folderNameProblem,
  type CaptureSummary,
  type CapturedFrame,
  type NameKind,
} from '../../shared/capture';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { assertCaptureFolder, makeFolder } from '../workspace-guard';
import type { Workspace } from '../workspace';
import { capturePaths, listCaptureNames, readLedger, requireLedger, serialized, writeLedger, type Ledger, type LedgerFrame } from './ledger';

const JPEG_QUALITY = 92;
const THUMB_SIDE = 96;

/** A name as it will be a folder: trimmed, NFC (one spelling per name on every file system), then checked. */
export function checkName(raw: string, kind: NameKind): string {
  const name = raw.trim().normalize('NFC');
  const problem = folderNameProblem(name, kind);
  if (problem) throw new LabError('BAD_ARGUMENT', problem, { name: raw });
  return name;
}

function toFrame(f: LedgerFrame): CapturedFrame {
  return { id: `${f.className}/${f.file}`, className: f.className, file: f.file, bytes: f.bytes, width: f.width, height: f.height, at: f.at };
}

export function summarize(ws: Workspace, ledger: Ledger): CaptureSummary {
  const counts = new Map<string, number>();
  for (const f of ledger.frames) counts.set(f.className, (counts.get(f.className) ?? 0) + 1);
  return {
    name: ledger.name,
    dir: capturePaths(ws, ledger.name).images,
    classes: [...counts].map(([name, frames]) => ({ name, frames })).sort((a, b) => a.name.localeCompare(b.name)),
    frames: ledger.frames.length,
    createdAt: ledger.createdAt,
    updatedAt: ledger.updatedAt,
    ...(ledger.datasetId ? { datasetId: ledger.datasetId } : {}),
  };
}

/** The frame checked and re-encoded: an image of a known format within the size limits, as a metadata-free JPEG. */
async function reencode(data: Buffer): Promise<{ jpeg: Buffer; width: number; height: number }> {
  if (data.length > CAPTURE_FRAME_MAX_BYTES) throw new LabError('BAD_ARGUMENT', msg('capture.frame.tooBig', { size: data.length, max: CAPTURE_FRAME_MAX_BYTES }));
  let meta: sharp.Metadata;
  try {
    meta = await sharp(data, { failOn: 'error', limitInputPixels: CAPTURE_FRAME_MAX_SIDE * CAPTURE_FRAME_MAX_SIDE }).metadata();
  } catch (err) {
    throw new LabError('BAD_ARGUMENT', msg('capture.frame.notImage', { detail: (err as Error).message }));
  }
  if (!meta.format || !['jpeg', 'png', 'webp'].includes(meta.format)) throw new LabError('BAD_ARGUMENT', msg('capture.frame.notImage', { detail: meta.format ?? 'unknown format' }));
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width > CAPTURE_FRAME_MAX_SIDE || height > CAPTURE_FRAME_MAX_SIDE) throw new LabError('BAD_ARGUMENT', msg('capture.frame.tooLarge', { width, height, max: CAPTURE_FRAME_MAX_SIDE }));
  try {
    const out = await sharp(data, { failOn: 'error' }).flatten({ background: '#000000' }).jpeg({ quality: JPEG_QUALITY }).toBuffer({ resolveWithObject: true });
    return { jpeg: out.data, width: out.info.width, height: out.info.height };
  } catch (err) {
    throw new LabError('BAD_ARGUMENT', msg('capture.frame.notImage', { detail: (err as Error).message }));
  }
}

let lastStamp = '';
let stampSeq = 0;
/** 20261205T124501123Z-0: sortable, unique within this process; 'wx' below guards against any other writer. */
function frameStem(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  stampSeq = stamp === lastStamp ? stampSeq + 1 : 0;
  lastStamp = stamp;
  return `${stamp}-${stampSeq}`;
}

export async function saveFrame(ws: Workspace, req: { capture: string; className: string; data: string }): Promise<CapturedFrame> {
  const capture = checkName(req.capture, 'capture');
  const className = checkName(req.className, 'class');
  const { jpeg, width, height } = await reencode(Buffer.from(req.data, 'base64'));
  return serialized(capture, async () => {
    const paths = capturePaths(ws, capture);
    const classDir = path.join(paths.images, className);
    await assertCaptureFolder(ws, classDir);
    await makeFolder(classDir, msg('capture.what.class'));
    const now = new Date();
    const ledger: Ledger = (await readLedger(ws, capture)) ?? { version: 1, name: capture, createdAt: now.toISOString(), updatedAt: now.toISOString(), frames: [] };
    let file = '';
    for (let attempt = 0; ; attempt++) {
      file = `${frameStem(now)}.jpg`;
      try {
        // 'wx': never overwrite a file that is already there.
        await fsp.writeFile(path.join(classDir, file), jpeg, { flag: 'wx' });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) throw err;
      }
    }
    const frame: LedgerFrame = { className, file, bytes: jpeg.length, width, height, at: now.toISOString(), sha256: createHash('sha256').update(jpeg).digest('hex') };
    ledger.frames.push(frame);
    ledger.updatedAt = now.toISOString();
    await writeLedger(ws, ledger);
    return toFrame(frame);
  });
}

/** Delete one frame the lab wrote; a file not in the ledger, changed since, or not a plain file is left alone. */
export async function deleteFrame(ws: Workspace, req: { capture: string; frame: string }): Promise<{ deleted: boolean }> {
  const capture = checkName(req.capture, 'capture');
  return serialized(capture, async () => {
    const ledger = await requireLedger(ws, capture);
    const at = ledger.frames.findIndex((f) => `${f.className}/${f.file}` === req.frame);
    if (at < 0) throw new LabError('NOT_FOUND', msg('capture.frame.notFound', { name: capture, frame: req.frame }), { capture, frame: req.frame });
    const f = ledger.frames[at]!;
    const classDir = path.join(capturePaths(ws, capture).images, f.className);
    await assertCaptureFolder(ws, classDir);
    const file = path.join(classDir, f.file);
    const st = await fsp.lstat(file).catch(() => null);
    let deleted = false;
    if (st) {
      const bytes = st.isFile() ? await fsp.readFile(file) : null;
      if (!bytes || createHash('sha256').update(bytes).digest('hex') !== f.sha256) {
        throw new LabError('BAD_ARGUMENT', msg('capture.frame.changed', { path: file }), { path: file });
      }
      await fsp.unlink(file);
      deleted = true;
    }
    ledger.frames.splice(at, 1);
    ledger.updatedAt = new Date().toISOString();
    await writeLedger(ws, ledger);
    // The class folder was made by the lab: remove it once empty (rmdir refuses a folder with anything in it).
    if (!ledger.frames.some((x) => x.className === f.className)) await fsp.rmdir(classDir).catch(() => undefined);
    return { deleted };
  });
}

export async function listCaptures(ws: Workspace): Promise<CaptureSummary[]> {
  const out: CaptureSummary[] = [];
  for (const name of await listCaptureNames(ws)) {
    const ledger = await readLedger(ws, name).catch(() => null);
    if (ledger) out.push(summarize(ws, ledger));
  }
  return out.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
}

export async function getCapture(ws: Workspace, name: string): Promise<CaptureSummary> {
  return summarize(ws, await requireLedger(ws, checkName(name, 'capture')));
}

/** The newest frames (of one class, or all), each with a small thumbnail; a frame whose file is gone has none. */
export async function listFrames(ws: Workspace, q: { capture: string; className?: string | undefined; limit: number }): Promise<CapturedFrame[]> {
  const capture = checkName(q.capture, 'capture');
  const ledger = await requireLedger(ws, capture);
  const frames = ledger.frames.filter((f) => q.className === undefined || f.className === q.className.trim().normalize('NFC')).slice(-q.limit).reverse();
  const images = capturePaths(ws, capture).images;
  return Promise.all(
    frames.map(async (f) => {
      const thumb = await sharp(path.join(images, f.className, f.file))
        .resize(THUMB_SIDE, THUMB_SIDE, { fit: 'inside' })
        .jpeg({ quality: 70 })
        .toBuffer()
        .then((b) => `data:image/jpeg;base64,${b.toString('base64')}`)
        .catch(() => undefined);
      return { ...toFrame(f), ...(thumb ? { thumb } : {}) };
    }),
  );
}
