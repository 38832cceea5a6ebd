/** The run store: each run is a folder under the workspace's runs/ (see run-files.ts for its files). */
import type * as tf from '@tensorflow/tfjs';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import type { Evaluation, RunDetail, RunStatus, RunSummary } from '../../shared/dto';
import type { EngineOptions } from '../../shared/engine-options';
import { LabError, type LabErrorData } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { loadModelFromDir, resolveModelDir, saveModelToDir } from '../models';
import { readCheckpointState } from '../training/checkpoint';
import type { Workspace } from '../workspace';
import { autoRunName } from './run-name';
import {
  CONFIG_FILE,
  downsample,
  EVALUATION_FILE,
  MODEL_DIR,
  readJson,
  readMetrics,
  readRunFile,
  RUN_FILE,
  writeJsonAtomic,
  type RunConfigFile,
  type RunFile,
} from './run-files';

/** Points of the batch curve sent to the chart. */
export const MAX_BATCH_POINTS = 3000;

const ACTIVE: RunStatus[] = ['queued', 'running', 'paused'];

function isAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${t}-${randomBytes(3).toString('hex')}`;
}

function notFound(id: string): LabError {
  return new LabError('NOT_FOUND', msg('error.run.notFound', { id }));
}

/** run.json → what the shells see; a run left "running" by a process that is gone shows as failed (interrupted). */
async function toSummary(runDir: string, file: RunFile): Promise<RunSummary> {
  const { pid, updatedAt: _u, ...rest } = file;
  const summary: RunSummary = { ...rest };
  const finished = file.status === 'completed';
  // A PyTorch job keeps its own resume state in its job folder (torch-job/ckpt/last.pt).
  const hasCheckpoint = (await readCheckpointState(runDir, 'last')) !== null || (file.engine === 'torch' && existsSync(path.join(runDir, 'torch-job', 'ckpt', 'last.pt')));
  if (ACTIVE.includes(file.status) && !isAlive(pid)) {
    const error: LabErrorData = {
      code: 'TRAINING_FAILED',
      message: hasCheckpoint
        ? `The run was interrupted after epoch ${file.epochsDone} (the training process ended without finishing). Resume it to continue from its last checkpoint.`
        : 'The run was interrupted before its first epoch finished. Resume it to start again.',
      details: { interrupted: true },
    };
    summary.status = 'failed';
    summary.error = error;
    summary.resumable = true;
  } else {
    summary.resumable = !finished && !ACTIVE.includes(file.status) && hasCheckpoint && file.epochsDone < file.epochs;
  }
  return summary;
}

/** A name that tells this run apart: its main settings and what differs from the previous run on the dataset. */
async function automaticName(ws: Workspace, config: TrainConfig, datasetName: string, ownId: string): Promise<string> {
  let names: string[] = [];
  try {
    names = await readdir(ws.runs);
  } catch {
    names = [];
  }
  const taken = new Set<string>();
  let previous: { createdAt: string; dir: string } | null = null;
  for (const name of names) {
    if (name === ownId) continue;
    const dir = path.join(ws.runs, name);
    const file = readRunFile(dir);
    if (!file) continue;
    taken.add(file.name);
    if (file.datasetId === config.datasetId && (!previous || file.createdAt > previous.createdAt)) previous = { createdAt: file.createdAt, dir };
  }
  const prevConfig = previous ? (readJson<RunConfigFile>(path.join(previous.dir, CONFIG_FILE))?.config ?? null) : null;
  return autoRunName(config, datasetName, prevConfig, taken);
}

export async function createRun(
  ws: Workspace,
  config: TrainConfig,
  meta: { datasetName: string; classes: string[]; backend: string; datasetFingerprint: string; engine?: EngineOptions },
): Promise<RunSummary> {
  const id = newRunId();
  const dir = ws.runDir(id);
  await mkdir(dir, { recursive: true });
  const createdAt = new Date().toISOString();
  const configFile: RunConfigFile = { config, datasetName: meta.datasetName, classes: meta.classes, datasetFingerprint: meta.datasetFingerprint, backend: meta.backend, createdAt, ...(meta.engine && meta.engine.engine !== 'lab' ? { engine: meta.engine } : {}) };
  await writeFile(path.join(dir, CONFIG_FILE), JSON.stringify(configFile, null, 2));
  const run: RunFile = {
    id,
    name: config.name ?? (await automaticName(ws, config, meta.datasetName, id)),
    status: 'queued',
    datasetId: config.datasetId,
    datasetName: meta.datasetName,
    createdAt,
    updatedAt: createdAt,
    epochs: config.epochs,
    epochsDone: 0,
    bestEpoch: null,
    bestValAccuracy: null,
    bestValLoss: null,
    testAccuracy: null,
    backend: meta.backend,
    ...(meta.engine && meta.engine.engine !== 'lab' ? { engine: meta.engine.engine } : {}),
    tags: config.tags,
    pid: process.pid,
  };
  writeJsonAtomic(path.join(dir, RUN_FILE), run);
  return toSummary(dir, run);
}

/** One run's summary without reading its metrics. */
export async function readRunSummary(ws: Workspace, id: string): Promise<RunSummary> {
  const { dir, file } = requireRun(ws, id);
  return toSummary(dir, file);
}

function requireRun(ws: Workspace, id: string): { dir: string; file: RunFile } {
  let dir: string;
  try {
    dir = ws.runDir(id);
  } catch {
    throw notFound(id);
  }
  const file = readRunFile(dir);
  if (!file) throw notFound(id);
  return { dir, file };
}

export async function setRunStatus(
  ws: Workspace,
  id: string,
  status: RunStatus,
  extra?: { error?: LabErrorData; pid?: number; message?: string } & Partial<Pick<RunFile, 'epochsDone' | 'bestEpoch' | 'bestValAccuracy' | 'bestValLoss' | 'testAccuracy' | 'backend'>>,
): Promise<RunSummary> {
  const { dir, file } = requireRun(ws, id);
  const { message: _m, ...patch } = extra ?? {};
  const now = new Date().toISOString();
  const next: RunFile = { ...file, ...patch, status, updatedAt: now };
  if (ACTIVE.includes(status)) {
    next.pid = patch.pid ?? process.pid;
    delete next.finishedAt;
    if (!patch.error) delete next.error;
  } else {
    next.finishedAt = now;
    delete next.pid;
  }
  writeJsonAtomic(path.join(dir, RUN_FILE), next);
  return toSummary(dir, next);
}

export async function listRuns(ws: Workspace): Promise<RunSummary[]> {
  let names: string[] = [];
  try {
    names = await readdir(ws.runs);
  } catch {
    return [];
  }
  const out: RunSummary[] = [];
  for (const name of names) {
    const dir = path.join(ws.runs, name);
    const file = readRunFile(dir);
    if (file) out.push(await toSummary(dir, file));
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function readRun(ws: Workspace, id: string): Promise<RunDetail> {
  const { dir, file } = requireRun(ws, id);
  const cfg = readJson<RunConfigFile>(path.join(dir, CONFIG_FILE));
  if (!cfg) throw new LabError('BAD_ARGUMENT', msg('error.run.noConfigAt', { id, file: path.join(dir, CONFIG_FILE) }));
  const { epochs, batches } = readMetrics(dir);
  return {
    ...(await toSummary(dir, file)),
    config: cfg.config,
    classes: cfg.classes,
    epochLogs: epochs,
    batchLogs: downsample(batches, MAX_BATCH_POINTS),
    evaluation: readJson<Evaluation>(path.join(dir, EVALUATION_FILE)),
    hasModel: resolveModelDir(path.join(dir, MODEL_DIR)) !== null,
  };
}

/** The settings, dataset fingerprint and backend a run was started with. */
export function readRunConfig(ws: Workspace, id: string): RunConfigFile {
  const { dir } = requireRun(ws, id);
  const cfg = readJson<RunConfigFile>(path.join(dir, CONFIG_FILE));
  if (!cfg) throw new LabError('BAD_ARGUMENT', msg('error.run.noConfig', { id }));
  return cfg;
}

/** The training process names the backend it really chose (the run was created before it started). */
export function recordRunBackend(ws: Workspace, id: string, backend: string): void {
  const { dir } = requireRun(ws, id);
  writeJsonAtomic(path.join(dir, CONFIG_FILE), { ...readRunConfig(ws, id), backend });
}

export async function deleteRun(ws: Workspace, id: string): Promise<boolean> {
  const { dir, file } = requireRun(ws, id);
  if (ACTIVE.includes(file.status) && file.pid !== process.pid && isAlive(file.pid)) {
    throw new LabError('BUSY', msg('error.run.busyDelete', { name: file.name, status: { code: `run.status.${file.status}` } }));
  }
  await rm(dir, { recursive: true, force: true });
  return true;
}

export async function renameRun(ws: Workspace, id: string, name: string): Promise<RunSummary> {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new LabError('BAD_ARGUMENT', msg('error.run.badName'));
  const { dir, file } = requireRun(ws, id);
  const next = { ...file, name: trimmed, updatedAt: new Date().toISOString() };
  writeJsonAtomic(path.join(dir, RUN_FILE), next);
  return toSummary(dir, next);
}

export async function saveModel(runDir: string, model: tf.LayersModel): Promise<void> {
  await saveModelToDir(model, path.join(runDir, MODEL_DIR));
}

export async function loadRunModel(ws: Workspace, id: string): Promise<tf.LayersModel> {
  const { dir, file } = requireRun(ws, id);
  if (!resolveModelDir(path.join(dir, MODEL_DIR))) {
    throw new LabError('NOT_FOUND', msg('error.run.noModel', { name: file.name }));
  }
  return loadModelFromDir(path.join(dir, MODEL_DIR));
}

export async function saveEvaluation(runDir: string, evaluation: Evaluation): Promise<void> {
  writeJsonAtomic(path.join(runDir, EVALUATION_FILE), evaluation);
  if (evaluation.split === 'test' && existsSync(path.join(runDir, RUN_FILE))) {
    const file = readRunFile(runDir);
    if (file) writeJsonAtomic(path.join(runDir, RUN_FILE), { ...file, testAccuracy: evaluation.accuracy, updatedAt: new Date().toISOString() });
  }
}
