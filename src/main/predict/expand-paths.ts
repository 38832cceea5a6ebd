/** What to predict: files as given, folders expanded (recursively, sorted) to the images they hold. */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { LabError, type LabErrorData } from '../../shared/errors';
import { msg } from '../../shared/messages';

/** Formats the lab's decoder reads. */
export const PREDICTABLE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif']);

export interface PredictTarget {
  path: string;
  error?: LabErrorData;
}

async function walk(dir: string, out: string[]): Promise<void> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (e.isFile() && PREDICTABLE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(full);
  }
}

export async function expandImagePaths(paths: string[]): Promise<PredictTarget[]> {
  const targets: PredictTarget[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    const stat = await fsp.stat(abs).catch(() => null);
    if (!stat) {
      targets.push({ path: abs, error: new LabError('NOT_FOUND', msg('error.predict.notFound', { path: abs }), { path: abs }).toJSON() });
    } else if (stat.isDirectory()) {
      const files: string[] = [];
      await walk(abs, files);
      if (!files.length) {
        targets.push({ path: abs, error: new LabError('NO_IMAGES', msg('error.predict.noImages', { path: abs, extensions: [...PREDICTABLE_EXTENSIONS].join(' ') }), { path: abs }).toJSON() });
      }
      targets.push(...files.map((f) => ({ path: f })));
    } else {
      targets.push({ path: abs });
    }
  }
  return targets;
}
