/**
 * Test support for the Python job package (resources/torch-job/labjob): finds a Python with PyTorch, writes a job
 * folder as the contract in docs describes it (job.json, raw uint8 shards, the lab's model with its initial weights,
 * the package itself), runs labjob and reads what it prints and writes. Used by the labjob-*.test.ts files; the TS
 * engine's own job writer lives beside it (H22b) and may replace `writeJobFolder`.
 */
import * as tf from '@tensorflow/tfjs';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainConfig } from '../../../shared/config';
import { saveModelToDir } from '../../models';

export const LABJOB_SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../resources/torch-job/labjob');

/** The Python the tests use: Debian's, where python3-torch is installed (a pyenv `python3` on PATH lacks it). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

let probed: { python: string } | { reason: string } | null = null;

/** The Python to run labjob with, or why the labjob tests are skipped. */
export function torchPython(): { python: string } | { reason: string } {
  if (probed) return probed;
  if (!existsSync(SYSTEM_PYTHON)) {
    probed = { reason: `${SYSTEM_PYTHON} is missing (install python3, python3-torch, python3-numpy)` };
  } else {
    const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 60_000 });
    probed = r.status === 0 ? { python: SYSTEM_PYTHON } : { reason: `PyTorch is not importable by ${SYSTEM_PYTHON} (apt-get install python3-torch python3-numpy libopenblas0-pthread)` };
  }
  if ('reason' in probed) console.warn(`labjob tests skipped: ${probed.reason}`);
  return probed;
}

export function hasTorch(): boolean {
  return 'python' in torchPython();
}

export interface SplitData {
  x: Uint8Array;
  y: Int32Array;
  /** Manifest index per image (augmentation is seeded by it); the row index when absent. */
  index?: Int32Array;
}

export interface JobSpec {
  config: TrainConfig;
  classes: string[];
  model: tf.LayersModel;
  train: SplitData;
  val?: SplitData | null;
  classWeights?: number[] | null;
  normalization?: 'unit' | 'symmetric';
}

function writeSplit(dir: string, name: string, data: SplitData): { x: string; y: string; count: number; ids?: string } {
  const bytes = (a: Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(path.join(dir, 'data', `${name}-x.u8`), data.x);
  writeFileSync(path.join(dir, 'data', `${name}-y.i32`), bytes(data.y));
  const out = { x: `data/${name}-x.u8`, y: `data/${name}-y.i32`, count: data.y.length };
  if (!data.index) return out;
  writeFileSync(path.join(dir, 'data', `${name}-ids.i32`), bytes(data.index));
  return { ...out, ids: `data/${name}-ids.i32` };
}

/** Writes a complete job folder (the package copied in, without byte-code caches). */
export async function writeJobFolder(dir: string, spec: JobSpec): Promise<string> {
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  cpSync(LABJOB_SOURCE, path.join(dir, 'labjob'), { recursive: true, filter: (src) => !src.includes('__pycache__') });
  await saveModelToDir(spec.model, path.join(dir, 'model-init'));
  const { size, channels } = spec.config.input;
  const job = {
    version: 1,
    config: spec.config,
    classes: spec.classes,
    inputShape: [size, size, channels],
    preprocessing: { normalization: spec.normalization ?? 'unit' },
    data: { train: writeSplit(dir, 'train', spec.train), val: spec.val ? writeSplit(dir, 'val', spec.val) : null },
    classWeights: spec.classWeights ?? null,
    oversample: spec.config.balance === 'oversample',
    model: 'model-init/model.json',
    seed: spec.config.seed,
  };
  writeFileSync(path.join(dir, 'job.json'), JSON.stringify(job, null, 1));
  return dir;
}

function env(jobDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: jobDir, PYTHONDONTWRITEBYTECODE: '1', OMP_NUM_THREADS: '1', ...extra };
}

/** Runs `python3 -m labjob <args>` in the job folder's PYTHONPATH and waits for it. */
export function runLabjob(jobDir: string, args: string[], extraEnv: Record<string, string> = {}, timeoutMs = 120_000): SpawnSyncReturns<string> {
  const py = torchPython();
  if (!('python' in py)) throw new Error(py.reason);
  return spawnSync(py.python, ['-m', 'labjob', ...args], { env: env(jobDir, extraEnv), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
}

export interface LabLine {
  kind: string;
  [key: string]: unknown;
}

/** The `LAB {json}` lines of labjob's stdout. */
export function labLines(stdout: string): LabLine[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('LAB '))
    .map((l) => JSON.parse(l.slice(4)) as LabLine);
}

/**
 * Starts `python3 -m labjob <args>` and calls `onLine` with every LAB line as it arrives (so a test can signal the
 * process mid-run). Resolves with the exit code, all lines and stderr.
 */
export function startLabjob(
  jobDir: string,
  args: string[],
  onLine: (line: LabLine, kill: (signal: NodeJS.Signals) => void) => void,
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; lines: LabLine[]; stderr: string }> {
  const py = torchPython();
  if (!('python' in py)) return Promise.reject(new Error(py.reason));
  const child = spawn(py.python, ['-m', 'labjob', ...args], { env: env(jobDir, extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LabLine[] = [];
  let stderr = '';
  let buffer = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let at: number;
    while ((at = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      if (!text.startsWith('LAB ')) continue;
      const line = JSON.parse(text.slice(4)) as LabLine;
      lines.push(line);
      onLine(line, (s) => child.kill(s));
    }
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, lines, stderr })));
}

/** A float32 little-endian file as an array. */
export function readF32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Seeded uint8 pixels and labels (mulberry32-like LCG), so tests are reproducible. */
export function randomImages(n: number, size: number, channels: number, classes: number, seed: number): SplitData {
  let s = seed >>> 0 || 1;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
  const x = new Uint8Array(n * size * size * channels);
  for (let i = 0; i < x.length; i++) x[i] = next() >>> 24;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = next() % classes;
  return { x, y };
}

/** tfjs probabilities of the lab's model on uint8 images, normalised as the lab does. */
export function tfjsProbabilities(model: tf.LayersModel, data: SplitData, size: number, channels: number, normalization: 'unit' | 'symmetric' = 'unit'): Float32Array {
  return tf.tidy(() => {
    const n = data.y.length;
    const f = new Float32Array(data.x.length);
    for (let i = 0; i < f.length; i++) f[i] = normalization === 'unit' ? data.x[i]! / 255 : data.x[i]! / 127.5 - 1;
    return (model.predict(tf.tensor4d(f, [n, size, size, channels])) as tf.Tensor).dataSync() as Float32Array;
  });
}
