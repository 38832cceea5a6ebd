/** Where the lab keeps everything it writes: never inside the user's image folders. */
import os from 'node:os';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { LabError } from '../shared/errors';
import { msg } from '../shared/messages';

function defaultHome(): string {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'image-classification-lab');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'image-classification-lab');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'image-classification-lab');
}

export interface Workspace {
  root: string;
  datasets: string;
  runs: string;
  settingsFile: string;
  datasetDir(id: string): string;
  runDir(id: string): string;
}

/** LAB_HOME overrides the per-user app-data folder. */
export function openWorkspace(root: string = process.env.LAB_HOME || defaultHome()): Workspace {
  const abs = path.resolve(root);
  const ws: Workspace = {
    root: abs,
    datasets: path.join(abs, 'datasets'),
    runs: path.join(abs, 'runs'),
    settingsFile: path.join(abs, 'settings.json'),
    datasetDir: (id) => path.join(abs, 'datasets', safeId(id)),
    runDir: (id) => path.join(abs, 'runs', safeId(id)),
  };
  mkdirSync(ws.datasets, { recursive: true });
  mkdirSync(ws.runs, { recursive: true });
  return ws;
}

/** Ids become folder names: refuse anything that could escape the workspace. */
export function safeId(id: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(id) || id.includes('..')) {
    throw new LabError('BAD_ARGUMENT', msg('error.badId', { id }));
  }
  return id;
}
