import type { EpochLog } from '../dto';

/**
 * The one definition of a run's "best epoch" and "best validation accuracy/loss": the epoch the run's monitor
 * (early stopping's watched metric, val. loss by default) judged best, and the validation numbers *of that epoch*
 * (the weights the best checkpoint keeps), never the maximum accuracy over all epochs.
 * The trainer writes these into run.json as it goes; the shells show them from there, and this function derives
 * the same numbers from the epoch logs (each log carries the monitor's best epoch so far).
 */
export interface BestNumbers {
  bestEpoch: number | null;
  bestValAccuracy: number | null;
  bestValLoss: number | null;
}

export function bestNumbers(epochs: readonly EpochLog[], bestEpoch: number | null = epochs.at(-1)?.bestEpoch ?? null): BestNumbers {
  const log = bestEpoch === null ? undefined : epochs.find((e) => e.epoch === bestEpoch);
  return { bestEpoch, bestValAccuracy: log?.valAccuracy ?? null, bestValLoss: log?.valLoss ?? null };
}

/** A run's best numbers: what the engine stored, else what its logs say (runs written before the engine stored them). */
export function runBestNumbers(run: BestNumbers & { epochLogs?: readonly EpochLog[] }): BestNumbers {
  if (run.bestEpoch !== null && run.bestValAccuracy !== null) return { bestEpoch: run.bestEpoch, bestValAccuracy: run.bestValAccuracy, bestValLoss: run.bestValLoss };
  return run.epochLogs ? bestNumbers(run.epochLogs, run.bestEpoch ?? undefined) : { bestEpoch: run.bestEpoch, bestValAccuracy: run.bestValAccuracy, bestValLoss: run.bestValLoss };
}
