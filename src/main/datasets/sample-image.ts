/**
 * Images for the browser grid and inspector, addressed by (dataset, manifest index) only: a path from outside is
 * never accepted, so nothing but the files the user imported can be served. Thumbnails are cached in the workspace.
 */
import { constants } from 'node:fs';
import { mkdir, open, readFile, realpath, rename, stat, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import type { Workspace } from '../workspace';
import { readManifest, type ManifestItem } from './manifest';
import { MAX_PIXELS } from './preprocess';

export const THUMB_SIZE = 96;
/** Formats every browser (and Electron) shows as they are. */
const SHOWN_AS_IS: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

const inFlight = new Map<string, Promise<Buffer>>();

async function makeThumb(data: Buffer, dest: string): Promise<Buffer> {
  const thumb = await sharp(data, { failOn: 'none', limitInputPixels: MAX_PIXELS })
    .rotate()
    .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
  await mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  await writeFile(tmp, thumb);
  await rename(tmp, dest);
  return thumb;
}

export async function resolveSampleImage(ws: Workspace, datasetId: string, index: number, variant: 'thumb' | 'full'): Promise<{ data: Buffer; contentType: string }> {
  const m = await readManifest(ws, datasetId);
  if (!Number.isInteger(index) || index < 0 || index >= m.items.length) {
    throw new LabError('NOT_FOUND', msg('error.dataset.noImageNumber', { id: datasetId, index, count: m.items.length }));
  }
  const it = m.items[index]!;
  if (!it.format || (it.check && it.check.reason !== 'wrong-extension')) {
    throw new LabError('UNREADABLE', msg('error.image.cannotShow', { path: it.path, reason: it.check?.msg ?? it.check?.message ?? msg('error.image.notReadable') }), { path: it.path });
  }
  const dest = path.join(ws.datasetDir(datasetId), 'thumbs', `${it.hash}-${THUMB_SIZE}.webp`);
  const cachedThumb = (): Promise<Buffer | null> => readFile(dest).catch(() => null);
  if (variant === 'thumb') {
    const cached = await cachedThumb();
    if (cached) return { data: cached, contentType: 'image/webp' };
  }
  const root = m.roots[it.root]?.path ?? m.summary.paths[it.root];
  const read = await readImportedFile(it, root);
  if (!read.ok) {
    // The file is no longer the one imported: only the lab's own copy may be shown.
    const cached = await cachedThumb();
    if (cached) return { data: cached, contentType: 'image/webp' };
    throw new LabError('NOT_FOUND', msg(`image.changed.${read.why}`, { path: it.path }), { path: it.path });
  }
  try {
    if (variant === 'full') {
      const type = SHOWN_AS_IS[it.format];
      if (type) return { data: read.data, contentType: type };
      const data = await sharp(read.data, { limitInputPixels: MAX_PIXELS }).rotate().png().toBuffer();
      return { data, contentType: 'image/png' };
    }
    let job = inFlight.get(dest);
    if (!job) {
      job = makeThumb(read.data, dest).finally(() => inFlight.delete(dest));
      inFlight.set(dest, job);
    }
    return { data: await job, contentType: 'image/webp' };
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('UNREADABLE', msg('error.image.gone', { path: it.path, detail: (err as Error).message }), { path: it.path });
  }
}

/** How the file on disk differs from the one imported (each has its message `image.changed.<why>`). */
type ChangedSinceImport = 'moved' | 'notFile' | 'changed' | 'replaced' | 'outside';
type ReadResult = { ok: true; data: Buffer } | { ok: false; why: ChangedSinceImport };

/**
 * The file's bytes, only if it is still the file imported: opened once (non-blocking, so a FIFO cannot hang us) and
 * checked on that open handle — same device, inode, size and mtime as recorded at import. Manifests from before
 * device/inode were recorded fall back to: real path inside the dataset's real root, same size and mtime.
 */
async function readImportedFile(it: ManifestItem, root: string | undefined): Promise<ReadResult> {
  let fh: FileHandle;
  try {
    fh = await open(it.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return { ok: false, why: 'moved' };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { ok: false, why: 'notFile' };
    const sameTime = Math.abs(st.mtimeMs - it.mtimeMs) < 1;
    if (st.size !== it.size || !sameTime) return { ok: false, why: 'changed' };
    if (it.dev !== undefined && it.ino !== undefined) {
      if (st.dev !== it.dev || st.ino !== it.ino) return { ok: false, why: 'replaced' };
    } else {
      const real = await realpath(it.path).catch(() => null);
      const realRoot = root ? await realpath(root).catch(() => null) : null;
      const base = realRoot && (await stat(realRoot).then((s) => (s.isDirectory() ? realRoot : path.dirname(realRoot)), () => null));
      if (!real || !base || !isInside(real, base)) return { ok: false, why: 'outside' };
    }
    return { ok: true, data: await fh.readFile() };
  } finally {
    await fh.close();
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}
