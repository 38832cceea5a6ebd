/**
 * "Write augmented copies to a folder": the sharp reference path applied `copies` times to every chosen image,
 * saved as PNG under outDir/<class>/. outDir is a folder the user picked; it may not be, lie inside or contain an
 * imported dataset's folder, nor lie in the workspace (compared by real path), and no existing file is overwritten.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AugmentWriteRequestSchema, resolveAugment, type AugmentWriteRequest } from '../../shared/augment-config';
import type { AugmentWriteResult } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { parseOrThrow } from '../../shared/validation';
import { readManifest } from '../datasets/manifest';
import { decodeForModel } from '../datasets/preprocess';
import type { Workspace } from '../workspace';
import { assertWritableFolder, makeFolder } from '../workspace-guard';
import { datasetMean } from './dataset-mean';
import { drawParams } from './params';
import { augmentWithSharp, encodePng } from './sharp-path';

/** File-system-safe folder name for a class. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a file name may not hold
const safeName = (s: string) => s.replace(/[<>:"/\\|?*\x00-\x1f]/g, '_').replace(/^\.+/, '_') || '_';

export async function writeAugmentedCopies(ws: Workspace, request: AugmentWriteRequest, onProgress?: (done: number, total: number) => void): Promise<AugmentWriteResult> {
  const req = parseOrThrow(AugmentWriteRequestSchema, request, 'write request');
  const m = await readManifest(ws, req.datasetId);
  // Real paths: a link to a dataset folder (or into the workspace) is refused like the folder itself.
  await assertWritableFolder(ws, req.outDir, { what: 'outDir' });
  const dir = path.resolve(req.outDir);
  await makeFolder(dir, 'outDir');
  const chosen = req.indices ?? m.items.map((_, i) => i).filter((i) => req.split === 'all' || m.items[i]!.split === req.split);
  const indices = chosen.filter((i) => m.items[i]?.status === 'ok');
  if (indices.length === 0) throw new LabError('NO_IMAGES', msg('error.augment.noImagesToWrite', { split: req.split }));
  const settings = resolveAugment(req.config);
  const mean = settings.erasing.enabled && settings.erasing.fill === 'mean' ? await datasetMean(ws, req.datasetId, req.channels) : undefined;
  const total = indices.length * req.copies;
  let files = 0;
  for (const index of indices) {
    const it = m.items[index]!;
    const pixels = await decodeForModel(it.path, { size: req.size, channels: req.channels, fit: 'squash' });
    const classDir = path.join(dir, safeName(it.className));
    await mkdir(classDir, { recursive: true });
    const stem = safeName(path.parse(it.path).name);
    for (let k = 0; k < req.copies; k++) {
      // copy k is the image as epoch k of a run with this seed would show it
      const params = drawParams(settings, req.seed, k, index);
      const out = await augmentWithSharp(pixels, { width: req.size, height: req.size, channels: req.channels }, params, req.size, req.channels, mean ? { mean } : {});
      const file = path.join(classDir, `${stem}-${index}-aug${k}.png`);
      try {
        // 'wx': never overwrite a file that is already there (it may be the user's).
        await writeFile(file, await encodePng(out, req.size, req.channels), { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        throw new LabError('BAD_ARGUMENT', msg('error.augment.fileExists', { file }), { path: file });
      }
      files++;
      onProgress?.(files, total);
    }
  }
  return { dir, files, images: indices.length };
}
