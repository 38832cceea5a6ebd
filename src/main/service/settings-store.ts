import { readFile, writeFile, rename } from 'node:fs/promises';
import type { Settings } from '../../shared/dto';
import type { Workspace } from '../workspace';

const DEFAULTS: Settings = { locale: 'auto', theme: 'auto', recentDatasets: [] };

export async function readSettings(ws: Workspace): Promise<Settings> {
  try {
    const parsed = JSON.parse(await readFile(ws.settingsFile, 'utf8')) as Partial<Settings>;
    return { ...DEFAULTS, ...parsed };
  } catch {
    // Missing or damaged settings fall back to defaults; the next write replaces the file.
    return { ...DEFAULTS };
  }
}

/** Write through a temporary file so a crash never leaves half a settings file. */
export async function writeSettings(ws: Workspace, settings: Settings): Promise<Settings> {
  const tmp = `${ws.settingsFile}.tmp`;
  await writeFile(tmp, JSON.stringify(settings, null, 2));
  await rename(tmp, ws.settingsFile);
  return settings;
}
