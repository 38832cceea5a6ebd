/** The work a training process does for one message: train a run, or evaluate a finished one. */
import type { TrainConfig } from '../../shared/config';
import type { BatchLog, EpochLog, RunStatus } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import type { LabEvent } from '../../shared/events';
import { evaluateTestTime } from '../augment';
import { getDataset } from '../datasets';
import { openSplit, type SplitOnDisk } from '../datasets/split-on-disk';
import { initBackend } from '../engine/backend';
import { preprocessingFor } from '../models';
import { downloadLog, resolveCatalogBackbone } from '../models/backbone-library';
import { loadRunModel, readRunConfig, recordRunBackend, readRun, saveEvaluation, saveModel, setRunStatus } from '../runs';
import { trainWithTorch } from '../torch-engine';
import { evaluateModel, trainRun } from '../training';
import { augmentationCostNote, prepareEmbeddingRun, recomputesFrozenBackbone } from '../training/embedding-training';
import { openRunSplits } from '../training/run-splits';
import { english, msg } from '../../shared/messages';
import type { Workspace } from '../workspace';
import type { PauseGate } from './pause-gate';
import { latestThrottle } from './throttle';

export interface JobIO {
  emit(event: LabEvent): void;
  signal: AbortSignal;
  gate: PauseGate;
}

/** Batch events reach the shells at most ~10 times a second; every batch still lands in metrics.jsonl. */
const BATCH_EVENT_INTERVAL_MS = 100;

async function announce(ws: Workspace, io: JobIO, runId: string, status: RunStatus, message?: string, extra?: { testAccuracy?: number }): Promise<void> {
  await setRunStatus(ws, runId, status, extra);
  io.emit({ type: 'run.status', runId, status, ...(message ? { message } : {}) });
}

export async function runTrainJob(ws: Workspace, runId: string, config: TrainConfig, resume: boolean, io: JobIO): Promise<void> {
  const backend = await initBackend();
  const log = (level: 'info' | 'warn' | 'error', message: string): void =>
    io.emit({ type: 'run.log', runId, level, message });
  // A run started with engine "torch" trains as a PyTorch job; evaluation and everything after it stay the lab's.
  const engine = readRunConfig(ws, runId).engine;
  const torch = engine?.engine === 'torch' ? engine : null;
  if (!torch) {
    log('info', `Training on ${backend.label}.`);
    recordRunBackend(ws, runId, backend.label);
  }
  await setRunStatus(ws, runId, 'running', torch ? {} : { backend: backend.label });
  io.emit({ type: 'run.status', runId, status: 'running' });
  // A catalog:<id> backbone is downloaded first (progress in the run's log; the run's stop cancels, the next start
  // resumes) or checked against its pinned checksums; the run then uses its folder.
  try {
    config = await resolveCatalogBackbone(ws, config, downloadLog(ws, (level, m) => io.emit({ type: 'run.log', runId, level, message: english(m), msg: m }), io.signal));
  } catch (err) {
    if (!(err instanceof LabError && err.code === 'CANCELLED')) throw err;
    return announce(ws, io, runId, 'stopped', err.message);
  }

  const dataset = await getDataset(ws, config.datasetId);
  const has = (split: 'val' | 'test'): boolean => dataset.classes.some((c) => c.counts[split] > 0);
  // Pixels stay on disk where they must (a training split bigger than the memory allowance is streamed, and so is its
  // validation split) or need not be loaded (cached embeddings read them a batch at a time): run-splits.ts.
  // The PyTorch job gets the pixels as a file of its own, so its splits are loaded whole here.
  const splits = await openRunSplits(ws, config, { hasVal: has('val'), inMemory: torch !== null, signal: io.signal });
  const { train, val, stream, augmenter } = splits;
  if (train.n === 0) throw new LabError('NO_IMAGES', msg('error.dataset.noTrainingImages', { name: dataset.name }));
  if (stream) log('info', `The training split (${Math.round((stream.n * stream.rowBytes) / 2 ** 20)} MB of pixels) is streamed from disk.`);
  if (!val) log('warn', 'No validation split: early stopping and the validation curves are off for this run.');

  const runDir = ws.runDir(runId);
  const batches = latestThrottle(BATCH_EVENT_INTERVAL_MS, (b: BatchLog) => io.emit({ type: 'run.batch', runId, ...b }));
  // A frozen backbone runs once per image and epochs train only the head, unless augmentation needs fresh images.
  const embeddings = splits.cachesEmbeddings ? await prepareEmbeddingRun({ ws, config, train: splits.onDisk.train, val: splits.onDisk.val, log, signal: io.signal }) : null;
  if (embeddings && augmenter) log('warn', english(msg('model.embeddings.augmentSkipped')));

  const hooks = {
    onBatch: (b: BatchLog) => batches.push(b),
    onEpoch: (e: EpochLog) => {
      batches.flush();
      io.emit({ type: 'run.epoch', runId, ...e });
    },
    onLog: log,
  };
  const result = torch
    ? await trainWithTorch({
        runDir,
        config,
        engine: torch,
        train,
        val,
        resume,
        signal: io.signal,
        pause: io.gate,
        hooks,
        onMessage: (level, m) => io.emit({ type: 'run.log', runId, level, message: english(m), msg: m }),
        onBackend: (label) => {
          recordRunBackend(ws, runId, label);
          void setRunStatus(ws, runId, 'running', { backend: label });
        },
      })
    : await trainRun({
        config,
        train,
        val,
        runDir,
        resume,
        writeMetrics: true,
        signal: io.signal,
        pause: io.gate,
        ...(augmenter && !embeddings ? { augmenter } : {}),
        ...(stream ? { stream } : {}),
        ...(embeddings ? { model: embeddings.head, source: embeddings.source, validate: embeddings.validate } : {}),
        ...(splits.validate ? { validate: splits.validate } : {}),
        ...(recomputesFrozenBackbone(config, augmenter !== null) ? { callbacks: [augmentationCostNote(log)] } : {}),
        hooks,
      });
  batches.flush();
  const model = embeddings && result.model ? embeddings.finish(result.model) : result.model;
  // A stopped PyTorch job has no model yet: it continues from its checkpoint when resumed.
  if (model) await saveModel(runDir, model);

  let testAccuracy: number | undefined;
  if (model && has('test') && result.reason !== 'stopped') {
    log('info', 'Evaluating on the held-out test split…');
    // The test split stays in the decoded cache and is read a batch at a time (as fast as loading it: each image is
    // read once either way), so evaluating a split bigger than memory holds two batches of pixels.
    const test = await openSplit(ws, config.datasetId, config.input, 'test', { signal: io.signal });
    const evaluation = await evaluateModel(model, test, preprocessingFor(config));
    // The document's test-time method: four corners + centre, predictions averaged; shown beside the plain accuracy.
    log('info', 'Evaluating with test-time crops (four corners + centre)…');
    evaluation.tta = await evaluateTestTime(model, test, preprocessingFor(config), 'five-crop', 0.875);
    await saveEvaluation(runDir, evaluation);
    testAccuracy = evaluation.accuracy;
    io.emit({ type: 'run.evaluation', runId, evaluation });
  }
  const final: RunStatus = result.reason === 'stopped' ? 'stopped' : 'completed';
  const why = { completed: 'finished', 'early-stopped': `early stopping at epoch ${result.epochsDone}`, stopped: 'stopped', 'time-budget': 'time budget reached' }[result.reason];
  await announce(ws, io, runId, final, why, testAccuracy === undefined ? undefined : { testAccuracy });
}

export async function runEvaluateJob(ws: Workspace, runId: string, io: JobIO, datasetId?: string): Promise<void> {
  await initBackend();
  const detail = await readRun(ws, runId);
  const model = await loadRunModel(ws, runId);
  const foreign = datasetId !== undefined && datasetId !== detail.config.datasetId;
  const data = foreign
    ? await openForeignDataset(ws, datasetId, detail.config.input, detail.classes, io.signal)
    : await openSplit(ws, detail.config.datasetId, detail.config.input, 'test', { signal: io.signal });
  const evaluation = await evaluateModel(model, data, preprocessingFor(detail.config));
  // Only the run's own test split becomes the run's evaluation; another folder's result is reported, not stored.
  if (!foreign) await saveEvaluation(ws.runDir(runId), evaluation);
  io.emit({ type: 'run.evaluation', runId, evaluation });
}

/** Every image of another dataset (train, val, test in turn; pixels left on disk), with its labels mapped by class name onto the run's classes. */
export async function openForeignDataset(ws: Workspace, datasetId: string, input: TrainConfig['input'], runClasses: string[], signal?: AbortSignal): Promise<SplitOnDisk> {
  const dataset = await getDataset(ws, datasetId);
  const unknown = dataset.classes.map((c) => c.name).filter((c) => !runClasses.includes(c));
  if (unknown.length) {
    throw new LabError('BAD_ARGUMENT', msg('error.evaluate.unknownClasses', { unknown, known: runClasses }));
  }
  const parts: SplitOnDisk[] = [];
  for (const split of ['train', 'val', 'test'] as const) {
    if (dataset.classes.some((c) => c.counts[split] > 0)) parts.push(await openSplit(ws, datasetId, input, split, signal ? { signal } : {}));
  }
  const n = parts.reduce((a, p) => a + p.n, 0);
  if (n === 0 || !parts[0]) throw new LabError('NO_IMAGES', msg('error.evaluate.noImages', { name: dataset.name }));
  // The three splits are rows of one decoded cache (the dataset's, at this input).
  const rows = new Int32Array(n);
  const y = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    rows.set(p.rows, at);
    for (let i = 0; i < p.n; i++) y[at + i] = runClasses.indexOf(p.classes[p.y[i]!]!);
    at += p.n;
  }
  return { ...parts[0], rows, index: rows, y, n, classes: runClasses };
}
