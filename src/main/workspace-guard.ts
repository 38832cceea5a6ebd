/**
 * Where the lab may write a folder the user chose (exports, augmented copies): never inside, or around, an
 * imported dataset's folders, and never inside the lab's own workspace. Paths are compared by their REAL path
 * (symlinks resolved through the nearest existing ancestor), so a link to a dataset is the dataset.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { LabError } from '../shared/errors';
import { msg, type LabMessage } from '../shared/messages';
import { listDatasets } from './datasets/browse';
import type { Workspace } from './workspace';

/** The real path of p, also when p (or its tail) does not exist yet: realpath of the nearest existing ancestor + the rest. */
export async function realPathLoose(p: string): Promise<string> {
  let current = path.resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      const real = await fsp.realpath(current);
      return tail.length ? path.join(real, ...tail.reverse()) : real;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return path.resolve(p);
      tail.push(path.basename(current));
      current = parent;
    }
  }
}

export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

export interface GuardOptions {
  /** How the folder is named in messages, e.g. "Export folder" or "outDir". */
  what: string | LabMessage;
  /** Folders inside the workspace the lab itself owns for this job (e.g. <runDir>/export), allowed there. */
  allowInside?: string[];
}

/** The real folders of every imported dataset (a CSV list's folder when the dataset was given as a file). */
async function datasetRoots(ws: Workspace): Promise<string[]> {
  const roots: string[] = [];
  for (const summary of await listDatasets(ws)) {
    for (const p of summary.paths) {
      const st = await fsp.stat(p).catch(() => null);
      roots.push(await realPathLoose(st && !st.isDirectory() ? path.dirname(p) : p));
    }
  }
  return roots;
}

/**
 * Refuse `dir` when it is, lies inside or contains a dataset folder, or lies inside the lab's workspace (except the
 * allowed folders). Returns the folder's real path, which is where the caller should write.
 */
export async function assertWritableFolder(ws: Workspace, dir: string, opts: GuardOptions): Promise<string> {
  const real = await realPathLoose(dir);
  for (const root of await datasetRoots(ws)) {
    if (isInside(real, root) || isInside(root, real)) {
      const code = real === root ? 'guard.dataset.is' : isInside(real, root) ? 'guard.dataset.inside' : 'guard.dataset.contains';
      const via = real !== path.resolve(dir) ? msg('guard.via', { dir }) : '';
      throw new LabError('BAD_ARGUMENT', msg(code, { what: opts.what, real, via, root }), { path: dir, datasetRoot: root });
    }
  }
  const wsReal = await realPathLoose(ws.root);
  if (isInside(real, wsReal) || isInside(wsReal, real)) {
    const allowed = await Promise.all((opts.allowInside ?? []).map(realPathLoose));
    if (!allowed.some((a) => isInside(real, a))) {
      throw new LabError('BAD_ARGUMENT', msg('guard.workspace', { what: opts.what, real, workspace: wsReal }), { path: dir });
    }
  }
  return real;
}

/**
 * The lab-owned roots the lab writes images into: camera captures (<workspace>/captures). Only the lab writes there,
 * so it is the one place a dataset's folder may be written to; every other dataset root is the user's.
 */
export function captureRoot(ws: Workspace): string {
  return path.join(ws.root, 'captures');
}

/**
 * Refuse to write frames into `dir` unless its REAL path lies strictly inside the workspace's capture root (which
 * itself must be inside the workspace: a captures link to elsewhere is refused), and outside every imported user
 * folder. Returns the real path to write to.
 */
export async function assertCaptureFolder(ws: Workspace, dir: string): Promise<string> {
  const wsReal = await realPathLoose(ws.root);
  const root = await realPathLoose(captureRoot(ws));
  const real = await realPathLoose(dir);
  if (!isInside(root, wsReal) || real === root || !isInside(real, root)) {
    throw new LabError('BAD_ARGUMENT', msg('capture.outsideWorkspace', { real, root }), { path: dir });
  }
  for (const userRoot of await datasetRoots(ws)) {
    // An imported capture folder is lab-owned; any other dataset root is a user's folder, never written into.
    if (isInside(userRoot, root)) continue;
    if (isInside(real, userRoot)) throw new LabError('BAD_ARGUMENT', msg('capture.insideDataset', { real, root: userRoot }), { path: dir, datasetRoot: userRoot });
  }
  return real;
}

/**
 * mkdir -p that cannot hang: Node's recursive mkdir loops forever under /proc (e.g. /proc/x). Creates each missing
 * folder in turn below the nearest existing ancestor and says clearly where that is impossible.
 */
export async function makeFolder(dir: string, what: string | LabMessage): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let current = target;
  for (;;) {
    const st = await fsp.stat(current).catch((err: NodeJS.ErrnoException) => err);
    if (!(st instanceof Error)) {
      if (!st.isDirectory()) throw new LabError('BAD_ARGUMENT', msg('guard.isFile', { what, path: current }), { path: dir });
      break;
    }
    if (st.code !== 'ENOENT') throw new LabError('BAD_ARGUMENT', msg('guard.unusable', { what, path: current, detail: st.code ?? st.message }), { path: dir });
    const parent = path.dirname(current);
    if (parent === current) break;
    missing.push(current);
    current = parent;
  }
  for (const d of missing.reverse()) {
    try {
      await fsp.mkdir(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw new LabError('BAD_ARGUMENT', msg('guard.cannotCreate', { what, path: d, detail: code ?? (err as Error).message }), { path: dir });
    }
  }
}
