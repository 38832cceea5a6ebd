/**
 * Checkpoints of a run folder: checkpoints/last (model + optimizer slots + loop state, written after every
 * epoch) and checkpoints/best (model + state at the best monitored epoch). Each is a folder written to a
 * temporary name and renamed, so a kill at any moment leaves the previous checkpoint usable.
 */
import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadModelFromDir, resolveModelDir, saveModelToDir } from '../models';
import type { OptimizerState } from './rule-optimizer';

export interface LoopState {
  /** Epochs completed (the next epoch to run, 0-based). */
  epochsDone: number;
  bestEpoch: number | null;
  bestValue: number | null;
  /** Epochs since the best one (early stopping's counter). */
  wait: number;
  /** Training seconds spent before this checkpoint (time budgets span resumes). */
  elapsedS: number;
}

export function checkpointDir(runDir: string, which: 'last' | 'best'): string {
  return path.join(runDir, 'checkpoints', which);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove `last.tmp-<pid>` / `best.tmp-<pid>` folders left by a process killed mid-save (never this process's own,
 * nor one whose process still runs). Called on every save and before a resume reads the checkpoint.
 */
export async function cleanStaleCheckpointTemps(runDir: string): Promise<string[]> {
  const dir = path.join(runDir, 'checkpoints');
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = /^(last|best)\.tmp-(\d+)$/.exec(name);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || processAlive(pid)) continue;
    await rm(path.join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

async function replaceDir(dir: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await cleanStaleCheckpointTemps(path.dirname(path.dirname(dir)));
  const tmp = `${dir}.tmp-${process.pid}`;
  const old = `${dir}.old`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await write(tmp);
  await rm(old, { recursive: true, force: true });
  if (existsSync(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

function encodeOptimizer(state: OptimizerState): { json: unknown; bin: Uint8Array } {
  const parts: Float32Array[] = [];
  let offset = 0;
  const slots = state.slots.map((s) => {
    const entry: Record<string, number | [number, number]> = { t: s.t };
    for (const k of ['v', 'c', 'm'] as const) {
      const values = s[k];
      if (values) {
        entry[k] = [offset, values.length];
        parts.push(values);
        offset += values.length;
      }
    }
    return entry;
  });
  const all = new Float32Array(offset);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return { json: { name: state.name, slots }, bin: new Uint8Array(all.buffer) };
}

function decodeOptimizer(json: { name: OptimizerState['name']; slots: Record<string, number | [number, number]>[] }, bin: Buffer): OptimizerState {
  const all = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  return {
    name: json.name,
    slots: json.slots.map((s) => {
      const out: OptimizerState['slots'][number] = { t: s['t'] as number };
      for (const k of ['v', 'c', 'm'] as const) {
        const ref = s[k] as [number, number] | undefined;
        if (ref) out[k] = all.slice(ref[0], ref[0] + ref[1]);
      }
      return out;
    }),
  };
}

export async function saveCheckpoint(runDir: string, which: 'last' | 'best', model: tf.LayersModel, state: LoopState, optimizer?: OptimizerState): Promise<void> {
  await replaceDir(checkpointDir(runDir, which), async (tmp) => {
    await saveModelToDir(model, path.join(tmp, 'model'));
    if (optimizer) {
      const { json, bin } = encodeOptimizer(optimizer);
      await writeFile(path.join(tmp, 'optimizer.bin'), bin);
      await writeFile(path.join(tmp, 'optimizer.json'), JSON.stringify(json));
    }
    await writeFile(path.join(tmp, 'state.json'), JSON.stringify(state, null, 2));
  });
}

export interface LoadedCheckpoint {
  model: tf.LayersModel;
  state: LoopState;
  optimizer: OptimizerState | null;
}

/** The checkpoint folder actually on disk (the live one or, after a cut-short save, the previous one). */
function liveDir(runDir: string, which: 'last' | 'best'): string | null {
  const dir = checkpointDir(runDir, which);
  for (const d of [dir, `${dir}.old`]) if (existsSync(path.join(d, 'state.json')) && resolveModelDir(path.join(d, 'model'))) return d;
  return null;
}

export async function readCheckpointState(runDir: string, which: 'last' | 'best' = 'last'): Promise<LoopState | null> {
  const dir = liveDir(runDir, which);
  if (!dir) return null;
  try {
    return JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as LoopState;
  } catch {
    return null;
  }
}

export async function loadCheckpoint(runDir: string, which: 'last' | 'best'): Promise<LoadedCheckpoint | null> {
  await cleanStaleCheckpointTemps(runDir);
  const dir = liveDir(runDir, which);
  if (!dir) return null;
  const state = JSON.parse(await readFile(path.join(dir, 'state.json'), 'utf8')) as LoopState;
  const model = await loadModelFromDir(path.join(dir, 'model'));
  let optimizer: OptimizerState | null = null;
  if (existsSync(path.join(dir, 'optimizer.json'))) {
    const json = JSON.parse(await readFile(path.join(dir, 'optimizer.json'), 'utf8'));
    optimizer = decodeOptimizer(json, await readFile(path.join(dir, 'optimizer.bin')));
  }
  return { model, state, optimizer };
}
