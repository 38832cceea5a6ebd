/** Ranking of trained settings: finished runs first, then by validation accuracy, validation loss, training loss. */
import type { SearchRowStatus } from '../../../shared/tuning';

interface Rankable {
  status: SearchRowStatus;
  valAccuracy: number | null;
  valLoss: number | null;
  trainLoss: number | null;
}

const STATUS_ORDER: Record<SearchRowStatus, number> = { ok: 0, terminated: 1, diverged: 2, failed: 3 };
const finite = (x: number | null): x is number => x !== null && Number.isFinite(x);

function cmpDesc(a: number | null, b: number | null): number {
  if (finite(a) && finite(b)) return b - a;
  return finite(a) ? -1 : finite(b) ? 1 : 0;
}

export function compareRows(a: Rankable, b: Rankable): number {
  return STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || cmpDesc(a.valAccuracy, b.valAccuracy) || -cmpDesc(a.valLoss, b.valLoss) || -cmpDesc(a.trainLoss, b.trainLoss);
}

/** A sorted copy (best first). */
export function rankRows<T extends Rankable>(rows: readonly T[]): T[] {
  return [...rows].sort(compareRows);
}
