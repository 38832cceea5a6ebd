/** Tuning state on disk: one folder per tune or search under the workspace, state.json written atomically. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import type { TuningState, TuningSummary } from '../../shared/tuning';
import { readJson, writeJsonAtomic } from '../runs/run-files';
import { safeId, type Workspace } from '../workspace';

const STATE_FILE = 'state.json';

export function tuningRoot(ws: Workspace): string {
  return path.join(ws.root, 'tuning');
}

export function tuneDir(ws: Workspace, id: string): string {
  return path.join(tuningRoot(ws), safeId(id));
}

export function newTuneId(kind: 'guide' | 'search'): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${kind === 'guide' ? 'tune' : 'search'}-${t}-${randomBytes(3).toString('hex')}`;
}

export function writeTuneState(ws: Workspace, state: TuningState): void {
  const dir = tuneDir(ws, state.id);
  mkdirSync(dir, { recursive: true });
  state.updatedAt = new Date().toISOString();
  writeJsonAtomic(path.join(dir, STATE_FILE), state);
}

export function readTuneState(ws: Workspace, id: string): TuningState {
  let dir: string;
  try {
    dir = tuneDir(ws, id);
  } catch {
    throw new LabError('NOT_FOUND', msg('error.tuning.notFound', { id }));
  }
  const state = readJson<TuningState>(path.join(dir, STATE_FILE));
  if (!state) throw new LabError('NOT_FOUND', msg('tuning.noState', { id, file: path.join(dir, STATE_FILE) }));
  return state;
}

export function summarize(state: TuningState): TuningSummary {
  const base = { id: state.id, kind: state.kind, datasetName: state.datasetName, status: state.status, createdAt: state.createdAt, updatedAt: state.updatedAt };
  if (state.kind === 'guide') return { ...base, done: Object.keys(state.results).length, total: state.steps.length };
  return { ...base, done: state.rows.length, total: state.planned };
}

export function listTunings(ws: Workspace): TuningSummary[] {
  let names: string[] = [];
  try {
    names = readdirSync(tuningRoot(ws));
  } catch {
    return [];
  }
  const out: TuningSummary[] = [];
  for (const name of names) {
    const state = readJson<TuningState>(path.join(tuningRoot(ws), name, STATE_FILE));
    if (state) out.push(summarize(state));
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
