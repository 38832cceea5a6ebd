import type { BatchLog, EpochLog } from '../dto';
import type { TrainConfig } from '../config';
import { debiasedEma } from './smoothing';
import { suggestActions, type DiagnosisAction } from './diagnosis-actions';

/**
 * The document's step 6, "read the curves": classify a run from its logs and say which numbers led there.
 * Thresholds are heuristics a person can check against the chart; every verdict carries its evidence.
 */
export type DiagnosisKind = 'not-enough-data' | 'diverged' | 'lr-too-low' | 'overfitting' | 'underfitting' | 'good-fit';

export type Evidence =
  | { code: 'few-epochs'; have: number; need: number }
  | { code: 'non-finite'; metric: 'loss' | 'valLoss'; epoch: number; batch: number | null }
  | { code: 'exploding'; from: number; to: number; factor: number; epoch: number }
  | { code: 'flat-loss'; from: number; to: number; changePct: number; epochs: number }
  | { code: 'gap'; trainAcc: number; valAcc: number; gapPts: number; since: number | null }
  | { code: 'val-loss-rising'; best: number; bestEpoch: number; last: number; risePct: number }
  | { code: 'train-loss-falling'; from: number; to: number; changePct: number }
  | { code: 'low-train-acc'; trainAcc: number; valAcc: number | null }
  | { code: 'slow-progress'; changePct: number; lastEpochs: number }
  | { code: 'curves-together'; trainAcc: number; valAcc: number; gapPts: number }
  | { code: 'val-still-improving'; from: number; to: number };

export interface Diagnosis {
  kind: DiagnosisKind;
  evidence: Evidence[];
  actions: DiagnosisAction[];
  /** Epoch (as logged) where the problem shows first, for a chart marker; null when none. */
  sinceEpoch: number | null;
}

/** Tunable limits, named so the card can explain them. */
export const THRESHOLDS = {
  minEpochs: 3,
  /** train − val accuracy above this (fraction) counts as a generalisation gap */
  gap: 0.1,
  /** validation loss this far above its best (fraction) with training loss still falling = overfitting */
  valRise: 0.1,
  /** relative change of the smoothed training loss below this over the whole run = flat */
  flat: 0.03,
  /** final training accuracy below this with train ≈ val = underfitting */
  fitAccuracy: 0.85,
  /** the training loss growing by this factor over its minimum = exploding */
  explode: 3,
  /** relative improvement of training loss over the last third below this = slow */
  slow: 0.05,
} as const;

export interface DiagnoseInput {
  epochs: readonly EpochLog[];
  batches?: readonly BatchLog[];
  /** Needed to turn actions into concrete config patches; without it the schema defaults are the base. */
  config?: TrainConfig;
}

export function diagnose({ epochs, batches = [], config }: DiagnoseInput): Diagnosis {
  const { kind, evidence, sinceEpoch } = classify(epochs, batches);
  return { kind, evidence, sinceEpoch, actions: suggestActions(kind, config, evidence) };
}

function classify(epochs: readonly EpochLog[], batches: readonly BatchLog[]): Omit<Diagnosis, 'actions'> {
  const diverged = findDivergence(epochs, batches);
  if (diverged) return { kind: 'diverged', evidence: [diverged], sinceEpoch: diverged.epoch };

  const done = epochs.filter((e) => Number.isFinite(e.loss));
  if (done.length < THRESHOLDS.minEpochs) {
    return { kind: 'not-enough-data', evidence: [{ code: 'few-epochs', have: done.length, need: THRESHOLDS.minEpochs }], sinceEpoch: null };
  }

  const first = done[0]!;
  const last = done[done.length - 1]!;
  const trainCurve = smoothedTrainLoss(done, batches);
  const change = relChange(trainCurve[0]!, trainCurve[trainCurve.length - 1]!);
  const accMoved = Math.abs(last.accuracy - first.accuracy);
  if (Math.abs(change) < THRESHOLDS.flat && accMoved < 0.05) {
    return {
      kind: 'lr-too-low',
      evidence: [{ code: 'flat-loss', from: trainCurve[0]!, to: trainCurve[trainCurve.length - 1]!, changePct: change * 100, epochs: done.length }],
      sinceEpoch: first.epoch,
    };
  }

  const withVal = done.filter((e) => e.valLoss !== null && Number.isFinite(e.valLoss));
  const evidence: Evidence[] = [];
  const valAcc = last.valAccuracy;
  const gap = valAcc === null ? null : last.accuracy - valAcc;

  // Overfitting: validation loss turned upward while training loss kept falling, or a wide, growing accuracy gap.
  const rising = valLossRising(withVal);
  const trainFalling = last.loss < (rising ? rising.bestLog.loss : first.loss);
  if (gap !== null && gap > THRESHOLDS.gap) {
    evidence.push({ code: 'gap', trainAcc: last.accuracy, valAcc: valAcc!, gapPts: gap * 100, since: gapGrowingSince(done) });
  }
  if (rising && trainFalling) {
    evidence.push({ code: 'val-loss-rising', best: rising.best, bestEpoch: rising.bestLog.epoch, last: rising.last, risePct: rising.rise * 100 });
    evidence.push({ code: 'train-loss-falling', from: rising.bestLog.loss, to: last.loss, changePct: relChange(rising.bestLog.loss, last.loss) * 100 });
  }
  // A widening gap alone is not "generalising worse" while the validation loss is still at its best in the last
  // epochs: the model still generalises better each epoch, it only memorises faster than it generalises.
  if (evidence.length > 0 && (rising !== null || (gapWidening(done) && !valLossBestAtEnd(withVal)))) {
    const since = rising ? rising.bestLog.epoch : (evidence[0]!.code === 'gap' ? evidence[0]!.since : null);
    return { kind: 'overfitting', evidence, sinceEpoch: since };
  }
  evidence.length = 0;

  // Underfitting: the model does not even fit the training data, and train ≈ val.
  const tail = done.slice(-Math.max(2, Math.ceil(done.length / 3)));
  const tailChange = relChange(tail[0]!.loss, last.loss);
  if (last.accuracy < THRESHOLDS.fitAccuracy) {
    evidence.push({ code: 'low-train-acc', trainAcc: last.accuracy, valAcc });
    if (-tailChange < THRESHOLDS.slow) evidence.push({ code: 'slow-progress', changePct: tailChange * 100, lastEpochs: tail.length });
    return { kind: 'underfitting', evidence, sinceEpoch: null };
  }

  // Good fit: both curves fall together, train and val close.
  if (valAcc !== null) evidence.push({ code: 'curves-together', trainAcc: last.accuracy, valAcc, gapPts: (gap ?? 0) * 100 });
  if (withVal.length >= 2) {
    const prev = withVal[Math.max(0, withVal.length - 3)]!;
    const lastVal = withVal[withVal.length - 1]!;
    if (lastVal.valLoss! < prev.valLoss!) evidence.push({ code: 'val-still-improving', from: prev.valLoss!, to: lastVal.valLoss! });
  }
  return { kind: 'good-fit', evidence, sinceEpoch: null };
}

function findDivergence(epochs: readonly EpochLog[], batches: readonly BatchLog[]): Extract<Evidence, { code: 'non-finite' | 'exploding' }> | null {
  for (const b of batches) {
    if (!Number.isFinite(b.loss)) return { code: 'non-finite', metric: 'loss', epoch: b.epoch, batch: b.batch };
  }
  for (const e of epochs) {
    if (!Number.isFinite(e.loss)) return { code: 'non-finite', metric: 'loss', epoch: e.epoch, batch: null };
    if (e.valLoss !== null && !Number.isFinite(e.valLoss)) return { code: 'non-finite', metric: 'valLoss', epoch: e.epoch, batch: null };
  }
  // Exploding: the smoothed training loss climbs far above both its minimum and where it started.
  const series = batches.length >= 20 ? batches.map((b) => ({ epoch: b.epoch, loss: b.loss })) : epochs.map((e) => ({ epoch: e.epoch, loss: e.loss }));
  if (series.length < 3) return null;
  const smooth = debiasedEma(
    series.map((s) => s.loss),
    batches.length >= 20 ? 0.6 : 0,
  );
  let minI = 0;
  for (let i = 1; i < smooth.length; i++) {
    if (smooth[i]! < smooth[minI]!) minI = i;
    const factor = smooth[i]! / Math.max(smooth[minI]!, 1e-12);
    if (factor >= THRESHOLDS.explode && smooth[i]! > smooth[0]! * 1.5) {
      return { code: 'exploding', from: smooth[minI]!, to: smooth[i]!, factor, epoch: series[i]!.epoch };
    }
  }
  return null;
}

/** Per-batch loss smoothed the way the chart shows it, or the epoch means when batches are missing. */
function smoothedTrainLoss(epochs: readonly EpochLog[], batches: readonly BatchLog[]): number[] {
  if (batches.length >= 20) {
    const s = debiasedEma(
      batches.map((b) => b.loss),
      0.9,
    );
    // Compare the first and last tenth, not single points, so noise cannot fake progress.
    const k = Math.max(1, Math.floor(s.length / 10));
    return [mean(s.slice(0, k)), mean(s.slice(-k))];
  }
  return epochs.map((e) => e.loss);
}

function valLossRising(withVal: readonly EpochLog[]): { best: number; bestLog: EpochLog; last: number; rise: number } | null {
  if (withVal.length < 3) return null;
  let bi = 0;
  for (let i = 1; i < withVal.length; i++) if (withVal[i]!.valLoss! < withVal[bi]!.valLoss!) bi = i;
  // Needs at least two epochs after the best one, and the last two both clearly above it.
  if (bi > withVal.length - 3) return null;
  const best = withVal[bi]!.valLoss!;
  const tail = withVal.slice(-2).map((e) => e.valLoss!);
  const rise = Math.min(...tail) / best - 1;
  if (rise < THRESHOLDS.valRise) return null;
  return { best, bestLog: withVal[bi]!, last: tail[1]!, rise };
}

/** The lowest validation loss is in the last two validated epochs (the run is still generalising better). */
function valLossBestAtEnd(withVal: readonly EpochLog[]): boolean {
  if (withVal.length === 0) return false;
  let bi = 0;
  for (let i = 1; i < withVal.length; i++) if (withVal[i]!.valLoss! <= withVal[bi]!.valLoss!) bi = i;
  return bi >= withVal.length - 2;
}

function accGap(e: EpochLog): number | null {
  return e.valAccuracy === null ? null : e.accuracy - e.valAccuracy;
}

/** The gap grew over the last few epochs (not a constant offset such as from dropout or augmentation). */
function gapWidening(epochs: readonly EpochLog[]): boolean {
  const gaps = epochs.map(accGap).filter((g): g is number => g !== null);
  if (gaps.length < 3) return false;
  const k = Math.max(1, Math.floor(gaps.length / 3));
  return mean(gaps.slice(-k)) - mean(gaps.slice(0, k)) > THRESHOLDS.gap / 2;
}

/** First epoch after the gap was last small (≤ half the threshold); null when it was never small. */
function gapGrowingSince(epochs: readonly EpochLog[]): number | null {
  let since: number | null = null;
  for (const e of epochs) {
    const g = accGap(e);
    if (g !== null && g <= THRESHOLDS.gap / 2) since = e.epoch;
  }
  return since;
}

function relChange(from: number, to: number): number {
  return from === 0 ? 0 : (to - from) / Math.abs(from);
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}
