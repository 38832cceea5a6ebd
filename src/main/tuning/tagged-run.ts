/**
 * One training inside a tune or search, as a normal run folder (run.json, metrics.jsonl, checkpoints, model)
 * tagged with the tune and step, so it shows in the run list and can be opened, compared or exported.
 */
import type { TrainConfig } from '../../shared/config';
import type { EpochLog } from '../../shared/dto';
import { LabError, toLabErrorData, type LabErrorData } from '../../shared/errors';
import { channelMean, createBatchAugmenter } from '../augment';
import type { ImageArray } from '../datasets/image-array';
import { createRun, saveModel, setRunStatus } from '../runs';
import { trainRun } from '../training';
import { prepareEmbeddingRun, usesEmbeddingCache } from '../training/embedding-training';
import { stopWhen } from '../training/callbacks/stop-when';
import type { TuneContext } from './context';

export interface TaggedRunResult {
  runId: string;
  epochs: EpochLog[];
  /** completed / early-stopped / time-budget: trained as asked; halted: stopWhen said so; diverged: NaN/Inf. */
  outcome: 'completed' | 'early-stopped' | 'time-budget' | 'halted' | 'terminated' | 'stopped' | 'diverged' | 'failed';
  /** Why stopWhen / terminateWhen ended it. */
  note: string | null;
  error: LabErrorData | null;
  durationS: number;
}

export interface TaggedRunOptions {
  config: TrainConfig;
  /** e.g. ['step:4'] */
  tags: string[];
  train?: ImageArray;
  val?: ImageArray | null;
  /** Ends the run successfully after an epoch (e.g. 100 % training accuracy reached). */
  stopWhen?: (log: EpochLog, all: EpochLog[]) => string | null;
  /** Ends the run as clearly bad after an epoch (search's early termination). */
  terminateWhen?: (log: EpochLog, all: EpochLog[]) => string | null;
}

export async function trainTagged(ctx: TuneContext, opts: TaggedRunOptions): Promise<TaggedRunResult> {
  const config: TrainConfig = { ...opts.config, tags: [...new Set([...opts.config.tags, ctx.tag, ...opts.tags])] };
  const train = opts.train ?? ctx.data.train;
  const val = opts.val === undefined ? ctx.data.val : opts.val;
  const run = await createRun(ctx.ws, config, {
    datasetName: ctx.data.datasetName,
    classes: train.classes,
    backend: ctx.backend,
    datasetFingerprint: ctx.data.fingerprint,
  });
  const runId = run.id;
  const runDir = ctx.ws.runDir(runId);
  const emitStatus = (status: 'running' | 'completed' | 'stopped' | 'failed', message?: string, error?: LabErrorData): void =>
    ctx.io.emit({ type: 'run.status', runId, status, ...(message ? { message } : {}), ...(error ? { error } : {}) });
  await setRunStatus(ctx.ws, runId, 'running');
  emitStatus('running');

  const epochs: EpochLog[] = [];
  let note: string | null = null;
  let halted: 'halted' | 'terminated' | null = null;
  // stopWhen / terminateWhen are a callback on the one trainer: the first rule that fires ends the fit after its epoch.
  const rules = stopWhen([opts.stopWhen, opts.terminateWhen], (rule, why) => {
    halted = rule === 0 ? 'halted' : 'terminated';
    note = why;
  });
  // The run's augmentation applies here as in any run (a step that must not augment says so in its config).
  const augmenter = createBatchAugmenter(config.augmentation, config.input, config.seed, { mean: channelMean(train) });
  const t0 = Date.now();
  try {
    // A frozen backbone: trials share the embedding cache, so each trial trains only the head.
    const log = (level: 'info' | 'warn', message: string): void => ctx.io.emit({ type: 'run.log', runId, level, message });
    const embeddings = usesEmbeddingCache(config, augmenter !== null) ? await prepareEmbeddingRun({ ws: ctx.ws, config, train, val, log }) : null;
    const result = await trainRun({
      config,
      train,
      val,
      runDir,
      writeMetrics: true,
      ...(augmenter && !embeddings ? { augmenter } : {}),
      ...(embeddings ? { model: embeddings.head, source: embeddings.source, validate: embeddings.validate } : {}),
      callbacks: [rules],
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
      hooks: {
        onBatch: () => undefined,
        onEpoch: (e) => {
          epochs.push(e);
          ctx.io.emit({ type: 'run.epoch', runId, ...e });
        },
        onLog: (level, message) => ctx.io.emit({ type: 'run.log', runId, level, message }),
      },
    });
    const model = embeddings ? embeddings.finish(result.model) : result.model;
    await saveModel(runDir, model);
    model.dispose();
    const endedBy = halted as 'halted' | 'terminated' | null; // set inside the callback, which TS cannot see
    const outcome: TaggedRunResult['outcome'] = result.reason === 'stopped' ? (endedBy ?? 'stopped') : result.reason;
    // A run the tuner ended as clearly bad is 'stopped' (with the reason), not 'completed'.
    const status = outcome === 'stopped' || outcome === 'terminated' ? 'stopped' : 'completed';
    const message = note ?? (outcome === 'early-stopped' ? `early stopping at epoch ${result.epochsDone}` : outcome === 'stopped' ? 'stopped' : 'finished');
    await setRunStatus(ctx.ws, runId, status);
    emitStatus(status, message);
    return { runId, epochs, outcome, note, error: null, durationS: (Date.now() - t0) / 1000 };
  } catch (err) {
    const error = toLabErrorData(err);
    await setRunStatus(ctx.ws, runId, 'failed', { error });
    emitStatus('failed', error.message, error);
    const outcome = err instanceof LabError && err.code === 'NAN_LOSS' ? 'diverged' : 'failed';
    return { runId, epochs, outcome, note: error.message, error, durationS: (Date.now() - t0) / 1000 };
  }
}

/** Last epoch's numbers, or nulls. */
export function lastEpoch(epochs: readonly EpochLog[]): EpochLog | null {
  return epochs.length ? epochs[epochs.length - 1]! : null;
}
