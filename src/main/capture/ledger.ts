/**
 * A capture's ledger (<workspace>/captures/<name>/capture.json): every frame the lab wrote, with its hash. It is how
 * the lab knows a file is its own: only a frame listed here, unchanged since it was written, is ever deleted.
 * Written to a temporary file and renamed, so a kill leaves the old or the new ledger, never half of one.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { CapturedFrame } from '../../shared/capture';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { captureRoot } from '../workspace-guard';
import type { Workspace } from '../workspace';

/** A frame as the ledger keeps it: what capture.frames shows of it (less its id and thumbnail), and its hash. */
export interface LedgerFrame extends Omit<CapturedFrame, 'id' | 'thumb'> {
  sha256: string;
}

export interface Ledger {
  version: 1;
  name: string;
  createdAt: string;
  updatedAt: string;
  datasetId?: string;
  frames: LedgerFrame[];
}

export interface CapturePaths {
  /** <workspace>/captures/<name> */
  dir: string;
  /** its class folders: what the import reads */
  images: string;
  ledger: string;
}

export function capturePaths(ws: Workspace, name: string): CapturePaths {
  const dir = path.join(captureRoot(ws), name);
  return { dir, images: path.join(dir, 'images'), ledger: path.join(dir, 'capture.json') };
}

export async function readLedger(ws: Workspace, name: string): Promise<Ledger | null> {
  const text = await fsp.readFile(capturePaths(ws, name).ledger, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text === null) return null;
  const parsed = JSON.parse(text) as Ledger;
  if (parsed.version !== 1 || !Array.isArray(parsed.frames)) return null;
  return parsed;
}

export async function requireLedger(ws: Workspace, name: string): Promise<Ledger> {
  const ledger = await readLedger(ws, name);
  if (!ledger) throw new LabError('NOT_FOUND', msg('capture.notFound', { name }), { capture: name });
  return ledger;
}

export async function writeLedger(ws: Workspace, ledger: Ledger): Promise<void> {
  const file = capturePaths(ws, ledger.name).ledger;
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, JSON.stringify(ledger));
  await fsp.rename(tmp, file);
}

/** Names of the captures in the workspace (folders holding a ledger). */
export async function listCaptureNames(ws: Workspace): Promise<string[]> {
  const entries = await fsp.readdir(captureRoot(ws), { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    if (await fsp.stat(path.join(captureRoot(ws), e.name, 'capture.json')).then((s) => s.isFile(), () => false)) names.push(e.name);
  }
  return names.sort();
}

/** One operation at a time per capture (frames arrive several a second; the ledger is read-modify-write). */
const queues = new Map<string, Promise<unknown>>();
export function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = queues.get(key) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const tail = next.catch(() => undefined);
  queues.set(key, tail);
  void tail.then(() => {
    if (queues.get(key) === tail) queues.delete(key);
  });
  return next;
}
