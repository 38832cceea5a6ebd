/**
 * Merging what a run has on disk (runs.get) with what arrives live (run.epoch / run.batch events).
 * Either may come first, so both merges are idempotent and keyed, never blind appends.
 */
import type { BatchLog, EpochLog, RunDetail, RunSummary } from '../../../shared/dto';
import type { LabEvent, LabEventOf } from '../../../shared/events';
import { bestNumbers } from '../../../shared/analysis/best-epoch';
import { thinKeepingExtremes } from '../../../shared/analysis/thin';

/** The chart does not need more batch points than this; older points are thinned out beyond it. */
export const MAX_BATCH_POINTS = 4000;

export function epochLogOf(e: LabEventOf<'run.epoch'>): EpochLog {
  const { type: _t, runId: _r, ...log } = e;
  return log;
}

export function batchLogOf(e: LabEventOf<'run.batch'>): BatchLog {
  const { type: _t, runId: _r, ...log } = e;
  return log;
}

/** Union by epoch number; a later report of the same epoch wins. Sorted by epoch. */
export function mergeEpochs(base: readonly EpochLog[], incoming: readonly EpochLog[]): EpochLog[] {
  const byEpoch = new Map<number, EpochLog>();
  for (const e of base) byEpoch.set(e.epoch, e);
  for (const e of incoming) byEpoch.set(e.epoch, e);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

function step(b: BatchLog): number {
  return b.epoch * Math.max(1, b.batchesPerEpoch) + b.batch;
}

/** Union by global step, sorted; beyond `max` points the older half is thinned to half, keeping its loss extremes. */
export function mergeBatches(base: readonly BatchLog[], incoming: readonly BatchLog[], max = MAX_BATCH_POINTS): BatchLog[] {
  let out: BatchLog[];
  const last = base.at(-1);
  if (last && incoming.every((b) => step(b) > step(last))) {
    out = [...base, ...incoming]; // the common live case: strictly newer points
  } else {
    const byStep = new Map<number, BatchLog>();
    for (const b of base) byStep.set(step(b), b);
    for (const b of incoming) byStep.set(step(b), b);
    out = [...byStep.values()].sort((a, b) => step(a) - step(b));
  }
  if (out.length > max) {
    const half = Math.floor(out.length / 2);
    out = [...thinKeepingExtremes(out.slice(0, half), Math.ceil(half / 2), (b) => b.loss), ...out.slice(half)];
  }
  return out;
}

/** Applies one live event to a run's detail; returns the same object when the event is not about it. */
export function applyRunEvent(run: RunDetail, event: LabEvent): RunDetail {
  if (!('runId' in event) || event.runId !== run.id) return run;
  switch (event.type) {
    case 'run.epoch': {
      const epochLogs = mergeEpochs(run.epochLogs, [epochLogOf(event)]);
      const bestEpoch = event.bestEpoch ?? run.bestEpoch;
      return {
        ...run,
        epochLogs,
        epochsDone: Math.max(run.epochsDone, epochLogs.length),
        ...bestNumbers(epochLogs, bestEpoch),
        status: run.status === 'queued' ? 'running' : run.status,
      };
    }
    case 'run.batch':
      return { ...run, batchLogs: mergeBatches(run.batchLogs, [batchLogOf(event)]), status: run.status === 'queued' ? 'running' : run.status };
    case 'run.status': {
      const next: RunDetail = { ...run, status: event.status };
      if (event.error) next.error = event.error;
      if (event.status === 'completed' || event.status === 'stopped' || event.status === 'failed') next.finishedAt ??= new Date().toISOString();
      return next;
    }
    case 'run.evaluation':
      return { ...run, evaluation: event.evaluation, testAccuracy: event.evaluation.split === 'test' ? event.evaluation.accuracy : run.testAccuracy };
    case 'run.renamed':
      return { ...run, name: event.name };
    default:
      return run;
  }
}

/** The list row of a run, kept in step with the same events (status, epochs done, best accuracy). */
export function applyRunEventToSummary(run: RunSummary, event: LabEvent): RunSummary {
  if (!('runId' in event) || event.runId !== run.id) return run;
  switch (event.type) {
    case 'run.status':
      return event.error ? { ...run, status: event.status, error: event.error } : { ...run, status: event.status };
    case 'run.epoch':
      return {
        ...run,
        epochsDone: Math.max(run.epochsDone, event.epoch), // epochs count from 1
        bestEpoch: event.bestEpoch ?? run.bestEpoch,
        // the monitor's best epoch and its own numbers (shared/analysis/best-epoch.ts), as the engine stores them
        ...(event.bestEpoch === event.epoch ? { bestValAccuracy: event.valAccuracy, bestValLoss: event.valLoss } : {}),
      };
    case 'run.evaluation':
      return event.evaluation.split === 'test' ? { ...run, testAccuracy: event.evaluation.accuracy } : run;
    case 'run.renamed':
      return { ...run, name: event.name };
    default:
      return run;
  }
}

/** Merges a fresh snapshot from disk with what the renderer already holds (live events may be newer). */
export function mergeDetail(held: RunDetail | null, fresh: RunDetail): RunDetail {
  if (!held || held.id !== fresh.id) return fresh;
  const epochLogs = mergeEpochs(fresh.epochLogs, held.epochLogs.filter((e) => !fresh.epochLogs.some((f) => f.epoch === e.epoch)));
  return {
    ...fresh,
    epochLogs,
    batchLogs: mergeBatches(fresh.batchLogs, held.batchLogs),
    epochsDone: Math.max(fresh.epochsDone, epochLogs.length),
    evaluation: fresh.evaluation ?? held.evaluation,
  };
}

export function isFinished(status: RunSummary['status']): boolean {
  return status === 'completed' || status === 'stopped' || status === 'failed';
}
