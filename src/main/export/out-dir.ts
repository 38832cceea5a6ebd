/**
 * The export folder. A new or empty folder is used as it is. A folder holding an earlier export is reused only
 * when the lab's marker file (.lab-export.json, listing every file that export wrote) is there, and then only
 * those files are replaced: nothing the lab did not write is ever deleted or overwritten.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { isInside, makeFolder } from '../workspace-guard';

export const EXPORT_MARKER = '.lab-export.json';
const WRITTEN_BY = 'image-classification-lab';
/** Every name an export may write (the top level of the folder), so a user's file of that name is never overwritten. */
const EXPORT_FILES = /^(model\.json|model\.onnx|model\.tflite|weights\.bin|group\d+-shard\d+of\d+\.bin|labels\.txt|preprocessing\.json|metadata\.json|README\.md)$/;
/** The example folder's files (example/predict.py: the TFLite export's Python example). */
const EXAMPLE_FILES = ['example/predict.mjs', 'example/package.json', 'example/predict.py'];

interface Marker {
  writtenBy: string;
  format: string;
  files: string[];
}

async function readMarker(dir: string): Promise<Marker | null> {
  try {
    const m = JSON.parse(await fsp.readFile(path.join(dir, EXPORT_MARKER), 'utf8')) as Partial<Marker>;
    if (m.writtenBy !== WRITTEN_BY || !Array.isArray(m.files)) return null;
    // Only plain relative names inside the folder: a marker can never point the lab at another file.
    const files = m.files.filter((f): f is string => typeof f === 'string' && f === path.posix.normalize(f) && !f.startsWith('../') && f !== '..' && !path.isAbsolute(f));
    return { writtenBy: WRITTEN_BY, format: String(m.format), files };
  } catch {
    return null;
  }
}

async function isRegularFile(file: string): Promise<boolean> {
  const st = await fsp.lstat(file).catch(() => null);
  return !!st && st.isFile();
}

export interface OutDirOptions {
  /**
   * The folder belongs to the lab (the run's own <runDir>/export/<format>): an earlier export there from before the
   * marker existed is replaced by name.
   */
  labOwned?: boolean;
}

export async function prepareOutDir(dir: string, opts: OutDirOptions = {}): Promise<void> {
  await makeFolder(dir, msg('guard.exportFolder'));
  const entries = await fsp.readdir(dir);
  if (!entries.length) return;
  const marker = await readMarker(dir);
  if (!marker && !opts.labOwned) {
    throw new LabError(
      'BAD_ARGUMENT',
      msg('export.outDir.notEmpty', { dir, example: path.join(dir, 'export') }),
      { path: dir },
    );
  }
  const ours = new Set(marker ? marker.files : [...entries.filter((e) => EXPORT_FILES.test(e)), ...EXAMPLE_FILES]);
  // A file of a name the export writes, that the earlier export did not write: the user's, so stop before touching anything.
  const candidates = [...entries.filter((e) => EXPORT_FILES.test(e)), ...EXAMPLE_FILES];
  for (const name of candidates) {
    const file = path.join(dir, name);
    const exists = await fsp.lstat(file).then(() => true, () => false);
    if (exists && (!ours.has(name) || !(await isRegularFile(file)))) {
      throw new LabError('BAD_ARGUMENT', msg('export.outDir.foreignFile', { dir, name }), { path: file });
    }
  }
  const realDir = await fsp.realpath(dir);
  for (const name of ours) {
    const file = path.join(dir, name);
    // Never follow a link out of the folder (e.g. example/ replaced by a link to another folder).
    const parent = await fsp.realpath(path.dirname(file)).catch(() => null);
    if (parent !== null && isInside(parent, realDir) && (await isRegularFile(file))) await fsp.rm(file);
  }
  await fsp.rm(path.join(dir, EXPORT_MARKER), { force: true });
  await fsp.rmdir(path.join(dir, 'example')).catch(() => undefined); // only when it is now empty
}

/** Written once the export's files are in place: the list a later export may replace, and nothing else. */
export async function writeExportMarker(dir: string, format: string, files: string[]): Promise<void> {
  const marker: Marker = { writtenBy: WRITTEN_BY, format, files: [...new Set(files)] };
  await fsp.writeFile(path.join(dir, EXPORT_MARKER), JSON.stringify(marker, null, 2) + '\n');
}
