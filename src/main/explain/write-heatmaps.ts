/**
 * `lab predict --heatmap`: each prediction's overlay as a PNG named after its image. By default in a new
 * folder of the workspace (heatmaps/<time>); with --out where the user says, as long as the workspace guard
 * allows it (never an imported dataset's folder). Existing files are never overwritten: a name that is taken
 * gets a number.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Prediction } from '../../shared/dto';
import { assertWritableFolder, makeFolder } from '../workspace-guard';
import type { Workspace } from '../workspace';

export function heatmapsRoot(ws: Workspace): string {
  return path.join(ws.root, 'heatmaps');
}

/** The folder heatmaps go to: --out (checked) or a new timestamped folder in the workspace. */
export async function heatmapFolder(ws: Workspace, out: string | undefined, now = new Date()): Promise<string> {
  const root = heatmapsRoot(ws);
  const dir = out ? path.resolve(out) : path.join(root, now.toISOString().replace(/[:.]/g, '-'));
  const real = await assertWritableFolder(ws, dir, { what: '--out', allowInside: [root] });
  await makeFolder(real, '--out');
  return real;
}

function decodeDataUrl(url: string): Buffer {
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}

/** Writes `<name>.heatmap.png` per prediction with a heatmap; returns the files written, in order. */
export async function writeHeatmaps(dir: string, preds: Prediction[]): Promise<string[]> {
  const written: string[] = [];
  for (const p of preds) {
    if (!p.heatmap) continue;
    const stem = path.basename(p.path, path.extname(p.path));
    for (let n = 1; ; n++) {
      const file = path.join(dir, `${stem}${n > 1 ? `-${n}` : ''}.heatmap.png`);
      try {
        await writeFile(file, decodeDataUrl(p.heatmap.overlay), { flag: 'wx' });
        written.push(file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  }
  return written;
}
