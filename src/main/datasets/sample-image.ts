/**
 * Images for the browser grid and inspector, addressed by (dataset, manifest index) only: a path from outside is
 * never accepted, so nothing but the files the user imported can be served. Thumbnails are cached in the workspace.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { LabError } from '../../shared/errors';
import type { Workspace } from '../workspace';
import { readManifest } from './manifest';
import { MAX_PIXELS } from './preprocess';

export const THUMB_SIZE = 96;
/** Formats every browser (and Electron) shows as they are. */
const SHOWN_AS_IS: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif' };

const inFlight = new Map<string, Promise<Buffer>>();

async function makeThumb(src: string, dest: string): Promise<Buffer> {
  const data = await sharp(src, { failOn: 'none', limitInputPixels: MAX_PIXELS })
    .rotate()
    .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 80 })
    .toBuffer();
  await mkdir(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, dest);
  return data;
}

export async function resolveSampleImage(ws: Workspace, datasetId: string, index: number, variant: 'thumb' | 'full'): Promise<{ data: Buffer; contentType: string }> {
  const m = await readManifest(ws, datasetId);
  if (!Number.isInteger(index) || index < 0 || index >= m.items.length) {
    throw new LabError('NOT_FOUND', `Dataset "${datasetId}" has no image number ${index} (it has ${m.items.length}).`);
  }
  const it = m.items[index]!;
  if (!it.format || (it.check && it.check.reason !== 'wrong-extension')) {
    throw new LabError('UNREADABLE', `${it.path} cannot be shown: ${it.check?.message ?? 'it is not an image this lab can read.'}`, { path: it.path });
  }
  try {
    if (variant === 'full') {
      const type = SHOWN_AS_IS[it.format];
      if (type) return { data: await readFile(it.path), contentType: type };
      const data = await sharp(it.path, { limitInputPixels: MAX_PIXELS }).rotate().png().toBuffer();
      return { data, contentType: 'image/png' };
    }
    const dest = path.join(ws.datasetDir(datasetId), 'thumbs', `${it.hash}-${THUMB_SIZE}.webp`);
    const cached = await readFile(dest).catch(() => null);
    if (cached) return { data: cached, contentType: 'image/webp' };
    let job = inFlight.get(dest);
    if (!job) {
      job = makeThumb(it.path, dest).finally(() => inFlight.delete(dest));
      inFlight.set(dest, job);
    }
    return { data: await job, contentType: 'image/webp' };
  } catch (err) {
    if (err instanceof LabError) throw err;
    throw new LabError('UNREADABLE', `${it.path} cannot be read any more (${(err as Error).message}). Import the dataset again.`, { path: it.path });
  }
}
