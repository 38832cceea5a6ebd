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
  // Thousands of file arguments: their stats run many at a time (one after another they cost more than decoding).
  const abses = paths.map((p) => path.resolve(p));
  const stats: (Awaited<ReturnType<typeof fsp.stat>> | null)[] = [];
  for (let i = 0; i < abses.length; i += 256) stats.push(...(await Promise.all(abses.slice(i, i + 256).map((a) => fsp.stat(a).catch(() => null)))));
  for (const [i, abs] of abses.entries()) {
    const stat = stats[i];
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
