/**
 * The files of one run folder and how they are written:
 *   config.json    every setting + dataset fingerprint + backend (written once)
 *   run.json       status and progress (replaced atomically: written to a temp file, then renamed)
 *   metrics.jsonl  one JSON line per finished batch / epoch, append-only (a kill keeps every finished line)
 *   checkpoints/   last/ and best/ (see training/checkpoint.ts)
 *   model/         the final model; evaluation.json
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import { thinKeepingExtremes } from '../../shared/analysis/thin';
import type { BatchLog, EpochLog, RunSummary } from '../../shared/dto';
import type { EngineOptions } from '../../shared/engine-options';

export const CONFIG_FILE = 'config.json';
export const RUN_FILE = 'run.json';
export const METRICS_FILE = 'metrics.jsonl';
export const EVALUATION_FILE = 'evaluation.json';
export const MODEL_DIR = 'model';

export interface RunConfigFile {
  config: TrainConfig;
  datasetName: string;
  classes: string[];
  datasetFingerprint: string;
  backend: string;
  createdAt: string;
  /** The engine that trains the run (absent: the lab's own, as before engines could be chosen). */
  engine?: EngineOptions;
}

/** run.json: the run's summary as stored (resumable is derived when read), plus bookkeeping. */
export interface RunFile extends Omit<RunSummary, 'resumable'> {
  updatedAt: string;
  /** Process that last set an active status: a run marked running whose process is gone was interrupted. */
  pid?: number;
}

export type MetricRecord = ({ kind: 'batch' } & BatchLog) | ({ kind: 'epoch' } & EpochLog);

/** Writes JSON next to the target and renames it over, so readers never see half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2));
  renameSync(tmp, file);
}

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function readRunFile(runDir: string): RunFile | null {
  return readJson<RunFile>(path.join(runDir, RUN_FILE));
}

/** Merges `patch` into run.json (no-op when the folder has no run.json, e.g. a bare training folder in tests). */
export async function updateRunProgress(runDir: string, patch: Partial<RunFile>): Promise<void> {
  const file = path.join(runDir, RUN_FILE);
  if (!existsSync(file)) return;
  const current = readRunFile(runDir);
  if (!current) return;
  writeJsonAtomic(file, { ...current, ...patch, updatedAt: new Date().toISOString() });
}

/** Appends one batch or epoch record as a line; synchronous so a crash right after still has it on disk. */
export function appendMetric(runDir: string, record: MetricRecord): void {
  appendFileSync(path.join(runDir, METRICS_FILE), `${JSON.stringify(record)}\n`);
}

/**
 * Reads metrics.jsonl, skipping a torn last line, and keeps the latest record of each epoch and batch:
 * after a resume, the epoch that was cut short is trained again and its new records replace the old ones.
 */
export function readMetrics(runDir: string): { epochs: EpochLog[]; batches: BatchLog[] } {
  let text = '';
  try {
    text = readFileSync(path.join(runDir, METRICS_FILE), 'utf8');
  } catch {
    return { epochs: [], batches: [] };
  }
  const epochs = new Map<number, EpochLog>();
  const batches = new Map<number, BatchLog>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let rec: MetricRecord;
    try {
      rec = JSON.parse(line) as MetricRecord;
    } catch {
      continue;
    }
    const { kind, ...log } = rec;
    if (kind === 'epoch') {
      const e = log as EpochLog;
      epochs.set(e.epoch, e);
      // an epoch trained again after a resume invalidates the later epochs of the old attempt
      for (const k of [...epochs.keys()]) if (k > e.epoch) epochs.delete(k);
    } else if (kind === 'batch') {
      const b = log as BatchLog;
      batches.set(b.epoch * 1_000_000 + b.batch, b);
    }
  }
  const epochList = [...epochs.values()].sort((a, b) => a.epoch - b.epoch);
  const batchList = [...batches.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b);
  return { epochs: epochList, batches: batchList };
}

/** At most `max` batch points for the run page, keeping each stretch's lowest and highest loss (a spike survives). */
export function downsample(items: BatchLog[], max: number): BatchLog[] {
  return thinKeepingExtremes(items, max, (b) => b.loss);
}
