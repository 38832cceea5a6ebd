/** How fast a training run goes and how long it still needs, from its own logs (no clock of the renderer). */
import type { BatchLog, EpochLog } from '../../../shared/dto';

export interface RunPace {
  /** Images per second of the last finished epoch. */
  imagesPerS: number | null;
  /** Seconds until the last planned epoch ends (early stopping may end the run sooner); null before one epoch. */
  etaS: number | null;
}

export function runPace(run: { epochs: number; epochsDone: number; epochLogs: readonly EpochLog[]; batchLogs: readonly BatchLog[] }): RunPace {
  const logs = run.epochLogs.filter((e) => Number.isFinite(e.durationS) && e.durationS > 0);
  if (logs.length === 0) return { imagesPerS: null, etaS: null };
  const recent = logs.slice(-3);
  const perEpoch = recent.reduce((s, e) => s + e.durationS, 0) / recent.length;
  const done = Math.max(run.epochsDone, run.epochLogs.length);
  const last = run.batchLogs.at(-1);
  const inCurrent = last && last.epoch > done && last.batchesPerEpoch > 0 ? Math.min(1, last.batch / last.batchesPerEpoch) : 0;
  const left = Math.max(0, run.epochs - done - inCurrent);
  return { imagesPerS: logs.at(-1)!.imagesPerS, etaS: left * perEpoch };
}

/** "1 h 2 min", "3 min 20 s", "45 s". */
export function formatDurationS(s: number): string {
  const r = Math.round(s);
  if (r >= 3600) return `${Math.floor(r / 3600)} h ${Math.round((r % 3600) / 60)} min`;
  if (r >= 60) return `${Math.floor(r / 60)} min ${r % 60} s`;
  return `${r} s`;
}
