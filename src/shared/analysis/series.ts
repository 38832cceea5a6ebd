import type { BatchLog, EpochLog } from '../dto';

/**
 * Positions on a shared "epochs" x axis, so per-batch and per-epoch curves line up: epoch e ends at x = e,
 * its batches fill (e − 1, e]. Engines may count epochs from 0 or 1; `epochOffset` makes both read 1-based.
 */
export function epochOffset(epochs: readonly EpochLog[], batches: readonly BatchLog[]): number {
  const e0 = epochs[0]?.epoch;
  const b0 = batches[0]?.epoch;
  const first = Math.min(e0 ?? Infinity, b0 ?? Infinity);
  return first === 0 ? 1 : 0;
}

export function batchX(b: BatchLog, offset: number): number {
  const per = Math.max(1, b.batchesPerEpoch);
  const within = Math.min(Math.max(b.batch + 1, 1), per) / per;
  return b.epoch + offset - 1 + within;
}

export function epochX(e: EpochLog, offset: number): number {
  return e.epoch + offset;
}

/** Index of the epoch log with the best validation value (lower loss / higher accuracy), or -1. */
export function bestEpochIndex(epochs: readonly EpochLog[], monitor: 'val_loss' | 'val_accuracy' = 'val_loss'): number {
  let best = -1;
  for (let i = 0; i < epochs.length; i++) {
    const v = monitor === 'val_loss' ? epochs[i]!.valLoss : epochs[i]!.valAccuracy;
    if (v === null || !Number.isFinite(v)) continue;
    const b = best < 0 ? null : monitor === 'val_loss' ? epochs[best]!.valLoss : epochs[best]!.valAccuracy;
    if (b === null || (monitor === 'val_loss' ? v < b : v > b)) best = i;
  }
  return best;
}
