/** The export folder: created if needed, an earlier export in it replaced, anything else left alone. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../shared/errors';

const EXPORT_MARKERS = ['model.json', 'model.onnx', 'preprocessing.json', 'metadata.json'];
const EXPORT_FILES = /^(model\.json|model\.onnx|weights\.bin|group\d+-shard\d+of\d+\.bin|labels\.txt|preprocessing\.json|metadata\.json|README\.md)$/;

export async function prepareOutDir(dir: string): Promise<void> {
  const stat = await fsp.stat(dir).catch(() => null);
  if (stat && !stat.isDirectory()) throw new LabError('BAD_ARGUMENT', `Export folder ${dir} is a file; choose a folder.`, { path: dir });
  if (!stat) {
    await fsp.mkdir(dir, { recursive: true });
    return;
  }
  const entries = await fsp.readdir(dir);
  if (!entries.length) return;
  if (!entries.some((e) => EXPORT_MARKERS.includes(e))) {
    throw new LabError('BAD_ARGUMENT', `Export folder ${dir} is not empty and does not hold an earlier export; choose an empty or new folder so nothing of yours is overwritten.`, { path: dir });
  }
  for (const e of entries) {
    if (EXPORT_FILES.test(e)) await fsp.rm(path.join(dir, e), { force: true });
  }
  await fsp.rm(path.join(dir, 'example', 'predict.mjs'), { force: true });
  await fsp.rm(path.join(dir, 'example', 'package.json'), { force: true });
}
