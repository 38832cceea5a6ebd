/**
 * One training inside a tune or search, as a normal run folder (run.json, metrics.jsonl, checkpoints, model)
 * tagged with the tune and step, so it shows in the run list and can be opened, compared or exported.
 */
import type { TrainConfig } from '../../shared/config';
import type { EpochLog } from '../../shared/dto';
import { LabError, toLabErrorData, type LabErrorData } from '../../shared/errors';
import type * as tf from '@tensorflow/tfjs';
import { channelMean, createBatchAugmenter } from '../augment';
import type { ImageArray } from '../datasets/image-array';
import { isOnDisk, labelsOnly } from '../datasets/split-on-disk';
import { preprocessingFor } from '../models';
import { createRun, saveModel, setRunStatus } from '../runs';
import { trainRun, type TrainRunOptions } from '../training';
import { prepareEmbeddingRun, usesEmbeddingCache, type EmbeddingRun } from '../training/embedding-training';
import { stopWhen } from '../training/callbacks/stop-when';
import { openRunSplits } from '../training/run-splits';
import { streamedValidation } from '../training/streamed-validation';
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
  /** Train (and validate) on these images in memory instead of the tune's splits (step 2's sample). */
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
  const t0 = Date.now();
  try {
    const log = (level: 'info' | 'warn', message: string): void => ctx.io.emit({ type: 'run.log', runId, level, message });
    const data = await trialData(ctx, config, { train, val }, log);
    const result = await trainRun({
      config,
      train: data.train,
      val: data.val,
      runDir,
      writeMetrics: true,
      ...data.options,
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
    const model = data.finish(result.model);
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

/** What a trial trains and validates on, and the trainRun options that say how. */
export interface TrialData {
  /** Pixels in memory, or labels only when they stay on disk. */
  train: ImageArray;
  val: ImageArray | null;
  options: Pick<TrainRunOptions, 'augmenter' | 'stream' | 'validate' | 'model' | 'source'>;
  /** The model to save: the trained one, or (cached embeddings) its head put back into the whole model. */
  finish(trained: tf.LayersModel): tf.LayersModel;
}

/**
 * A trial's data. The tune's splits on disk are opened as a normal run opens them (run-splits.ts: loaded when they
 * fit the memory allowance, streamed from the decoded cache when not, neither with cached embeddings), through the
 * tune's memo, so trials share what was loaded. Arrays in memory (step 2's sample, tests) are trained on as given.
 * The run's augmentation applies as in any run (a step that must not augment says so in its config); a frozen
 * backbone trains only its head, on the embedding cache the trials share.
 */
export async function trialData(
  ctx: TuneContext,
  config: TrainConfig,
  split: { train: TuneContext['data']['train']; val: TuneContext['data']['val'] },
  log: (level: 'info' | 'warn', message: string) => void,
): Promise<TrialData> {
  const { train, val } = split;
  const signal = ctx.io.signal ? { signal: ctx.io.signal } : {};
  const withEmbeddings = (d: Omit<TrialData, 'finish'>, embeddings: EmbeddingRun | null): TrialData =>
    embeddings
      ? { ...d, options: { model: embeddings.head, source: embeddings.source, validate: embeddings.validate }, finish: (m) => embeddings.finish(m) }
      : { ...d, finish: (m) => m };
  if (isOnDisk(train)) {
    const splits = await openRunSplits(ctx.ws, config, {
      hasVal: val !== null && isOnDisk(val),
      ...(ctx.data.memo ? { memo: ctx.data.memo } : {}),
      ...(ctx.data.allowance !== undefined ? { allowance: ctx.data.allowance } : {}),
      ...signal,
    });
    // A validation split given in memory (not the tune's own) is predicted as it is.
    const valArray = val && !isOnDisk(val) ? val : splits.val;
    const embeddings = splits.cachesEmbeddings ? await prepareEmbeddingRun({ ws: ctx.ws, config, train: splits.onDisk.train, val: splits.onDisk.val ?? valArray, log, ...signal }) : null;
    const options: TrialData['options'] = {
      ...(splits.augmenter ? { augmenter: splits.augmenter } : {}),
      ...(splits.stream ? { stream: splits.stream } : {}),
      ...(splits.validate && valArray === splits.val ? { validate: splits.validate } : {}),
    };
    return withEmbeddings({ train: splits.train, val: valArray, options }, embeddings);
  }
  const augmenter = createBatchAugmenter(config.augmentation, config.input, config.seed, { mean: channelMean(train) });
  const embeddings = usesEmbeddingCache(config, augmenter !== null) ? await prepareEmbeddingRun({ ws: ctx.ws, config, train, val, log, ...signal }) : null;
  // The tune's validation split on disk beside training pixels in memory: validated a batch at a time.
  const validate = val && isOnDisk(val) ? streamedValidation(val, preprocessingFor(config), train.classes.length) : null;
  const options: TrialData['options'] = { ...(augmenter ? { augmenter } : {}), ...(validate ? { validate } : {}) };
  return withEmbeddings({ train, val: val && isOnDisk(val) ? labelsOnly(val) : val, options }, embeddings);
}

/** Last epoch's numbers, or nulls. */
export function lastEpoch(epochs: readonly EpochLog[]): EpochLog | null {
  return epochs.length ? epochs[epochs.length - 1]! : null;
}
