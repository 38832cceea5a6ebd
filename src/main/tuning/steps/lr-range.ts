/**
 * Step 3 (docs/CONCEPTS.md#step-3-lr-range-test), as an LR range test: on all the training data with a small weight decay, the learning
 * rate grows exponentially from min to max, one value per iteration; the (smoothed) loss against the LR shows where
 * the loss starts to drop, where it drops fastest, and where it explodes.
 */
import { debiasedEma } from '../../../shared/analysis/smoothing';
import { thinKeepingExtremes } from '../../../shared/analysis/thin';
import type { LrRangePoint, LrRangeResult, TuneStepResult } from '../../../shared/tuning';
import { createRun, setRunStatus } from '../../runs';
import { CALLBACK_ORDER, CancelFit, trainRun, type Callback } from '../../training';
import type { TuneContext } from '../context';
import { trialData } from '../tagged-run';
import { fmt, stepResult } from './step-result';
import { msg } from '../../../shared/messages';

/** The smoothed loss this many times above its minimum (or NaN/Inf) marks the explosion. */
export const EXPLODE_FACTOR = 4;
const MAX_CHART_POINTS = 400;

/** Learning rates of the sweep: geometric from min to max over n iterations. */
export function sweepRates(min: number, max: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => min * Math.pow(max / min, n === 1 ? 0 : i / (n - 1)));
}

/**
 * The suggestion rule: the LR where the smoothed loss falls fastest per decade of LR (the most negative slope
 * d loss / d log10 LR, taken over a window to ignore single-batch noise), looking only before the minimum of the
 * smoothed loss, because past it the loss climbs towards the explosion. The first `skip` points are left out:
 * there the average is still settling from the first batches (fastai skips the start the same way).
 * Returns the index, or null without descent.
 */
export function steepestDescent(lrs: readonly number[], smoothed: readonly number[], end: number, skip = 0): number | null {
  const last = Math.min(end, smoothed.length - 1);
  if (last < 2) return null;
  const w = Math.max(1, Math.round(smoothed.length / 20));
  let best: number | null = null;
  let bestSlope = 0;
  for (let i = Math.min(skip, last); i <= last; i++) {
    const a = Math.max(0, i - w);
    const b = Math.min(last, i + w);
    if (b === a) continue;
    const slope = (smoothed[b]! - smoothed[a]!) / (Math.log10(lrs[b]!) - Math.log10(lrs[a]!));
    if (slope < bestSlope) {
      bestSlope = slope;
      best = i;
    }
  }
  return best;
}

/** Points at the start left out of the suggestion: 10 % of the sweep, or two time constants of the average. */
export function settlingPoints(n: number): number {
  return Math.max(Math.ceil(0.1 * n), Math.round(2 / (1 - smoothingWeight(n))));
}

/** Smoothing weight for n iterations: heavier for long sweeps, lighter for short ones (less lag). */
export function smoothingWeight(n: number): number {
  return Math.min(0.95, Math.max(0.8, 1 - 10 / n));
}

export function analyseSweep(lrs: readonly number[], losses: readonly number[]): LrRangeResult & { explodedAt: number | null; minAt: number | null } {
  const finiteEnd = losses.findIndex((l) => !Number.isFinite(l));
  const usable = finiteEnd === -1 ? losses.length : finiteEnd;
  const smoothed = debiasedEma(losses.slice(0, usable), smoothingWeight(lrs.length));
  let minAt: number | null = null;
  let explodedAt: number | null = finiteEnd === -1 ? null : finiteEnd;
  for (let i = 0; i < smoothed.length; i++) {
    if (minAt === null || smoothed[i]! < smoothed[minAt]!) minAt = i;
    if (explodedAt === null && i > 0 && smoothed[i]! > EXPLODE_FACTOR * smoothed[minAt]!) {
      explodedAt = i;
      break;
    }
  }
  const steep = minAt === null ? null : steepestDescent(lrs, smoothed, minAt, settlingPoints(lrs.length));
  const points: LrRangePoint[] = losses.map((loss, i) => ({ lr: lrs[i]!, loss, smoothed: smoothed[i] ?? NaN }));
  return {
    points: thinKeepingExtremes(points, MAX_CHART_POINTS, (p) => p.loss),
    suggestedLr: steep === null ? null : lrs[steep]!,
    explosionLr: explodedAt === null ? null : lrs[explodedAt]!,
    minLossLr: minAt === null ? null : lrs[minAt]!,
    explodedAt,
    minAt,
  };
}

/**
 * The LR range test as a callback: batch i trains at lrs[i]; the fit ends after the last rate, at the first
 * NaN/Inf loss, or once the smoothed loss has exploded (the rest of the sweep says nothing).
 */
export function lrSweep(lrs: readonly number[], losses: number[]): Callback {
  const beta = smoothingWeight(lrs.length);
  const ema = { value: 0, weight: 0 };
  let minSmoothed = Infinity;
  return {
    name: 'lr-sweep',
    // After the metrics log, so the batch that ends the sweep is still written.
    order: CALLBACK_ORDER.metricsLog + 5,
    batchBegin(loop) {
      if (losses.length >= lrs.length) throw new CancelFit('completed');
      loop.lr = lrs[losses.length]!;
    },
    batchEnd(loop) {
      const loss = loop.batchLog!.loss;
      losses.push(loss);
      if (!Number.isFinite(loss)) throw new CancelFit('completed');
      ema.value = beta * ema.value + (1 - beta) * loss;
      ema.weight = beta * ema.weight + (1 - beta);
      const smoothed = ema.value / ema.weight;
      minSmoothed = Math.min(minSmoothed, smoothed);
      if (losses.length > 1 && smoothed > EXPLODE_FACTOR * minSmoothed) throw new CancelFit('completed');
    },
  };
}

export async function lrRangeTest(ctx: TuneContext): Promise<TuneStepResult> {
  const started = new Date();
  const { rangeMinLr: lo, rangeMaxLr: hi, rangeIterations: iters, rangeWeightDecay: wd } = ctx.budgets;
  const train = ctx.data.train;
  // Enough passes over the data for `iters` batches; the sweep callback ends the fit after the last one.
  const perPass = Math.max(1, Math.floor(train.n / Math.min(ctx.config.batchSize, train.n)));
  const config = {
    ...ctx.config,
    name: `tune step 3 · LR range ${fmt(lo)}–${fmt(hi)}`,
    weightDecay: { kind: wd > 0 ? ('l2' as const) : ('none' as const), value: wd },
    epochs: Math.min(10000, Math.ceil(iters / perPass)),
    tags: [...new Set([...ctx.config.tags, ctx.tag, 'step:3'])],
  };
  const run = await createRun(ctx.ws, config, { datasetName: ctx.data.datasetName, classes: train.classes, backend: ctx.backend, datasetFingerprint: ctx.data.fingerprint });
  const runDir = ctx.ws.runDir(run.id);
  await setRunStatus(ctx.ws, run.id, 'running');
  ctx.io.emit({ type: 'run.status', runId: run.id, status: 'running', message: 'LR range test' });

  const lrs = sweepRates(lo, hi, iters);
  const losses: number[] = [];
  // The sweep is one callback on the one trainer, so every training option (clipping, decay mask, optimizer) applies;
  // its data is opened as any trial's (streamed from disk when the split does not fit in memory).
  const data = await trialData(ctx, config, { train, val: null }, (level, message) => ctx.io.emit({ type: 'run.log', runId: run.id, level, message }));
  const { model } = await trainRun({
    config,
    train: data.train,
    val: null,
    runDir,
    writeMetrics: true,
    ...data.options,
    without: ['lr-schedule', 'nan-guard', 'early-stopping', 'checkpoints', 'time-budget'],
    callbacks: [lrSweep(lrs, losses)],
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    hooks: { onBatch: () => undefined, onEpoch: () => undefined, onLog: () => undefined },
  });
  model.dispose();
  const stopped = ctx.io.signal?.aborted === true;
  await setRunStatus(ctx.ws, run.id, stopped ? 'stopped' : 'completed');
  ctx.io.emit({ type: 'run.status', runId: run.id, status: stopped ? 'stopped' : 'completed' });

  const a = analyseSweep(lrs.slice(0, losses.length), losses);
  const lrRange: LrRangeResult = { points: a.points, suggestedLr: a.suggestedLr, explosionLr: a.explosionLr, minLossLr: a.minLossLr };
  const numbers: TuneStepResult['numbers'] = {
    iterations: losses.length,
    minLr: lo,
    maxLr: hi,
    weightDecay: wd,
    suggestedLr: a.suggestedLr,
    minLossLr: a.minLossLr,
    explosionLr: a.explosionLr,
    startLoss: losses[0] ?? null,
    minLoss: a.minAt === null ? null : a.points.length ? Math.min(...a.points.map((p) => p.smoothed).filter(Number.isFinite)) : null,
  };
  const rule = msg('tuning.s3.rule', { settle: settlingPoints(iters) });
  const exploded = a.explosionLr === null ? msg('tuning.s3.noExplosion') : msg('tuning.s3.explosion', { lr: fmt(a.explosionLr), factor: EXPLODE_FACTOR });
  if (stopped) {
    return stepResult(3, started, { verdict: 'fail', numbers, runIds: [run.id], lrRange, explanation: msg('tuning.s3.stopped'), nextAction: msg('tuning.rerun', { step: 3 }) });
  }
  if (a.suggestedLr === null) {
    return stepResult(3, started, {
      verdict: 'fail',
      numbers,
      runIds: [run.id],
      lrRange,
      explanation: msg('tuning.s3.neverFell', { iterations: losses.length, lo: fmt(lo), hi: fmt(hi), exploded, rule }),
      causes: [msg('tuning.s3.causeRange'), msg('tuning.s3.causeUpstream')],
      nextAction:
        a.explosionLr !== null && a.explodedAt !== null && a.explodedAt < 5 ? msg('tuning.s3.lowerRange', { lo: fmt(lo / 100), hi: fmt(hi / 100) }) : msg('tuning.s3.checkEarlier'),
    });
  }
  return stepResult(3, started, {
    verdict: 'pass',
    numbers,
    runIds: [run.id],
    lrRange,
    explanation: msg('tuning.s3.pass', { iterations: losses.length, lo: fmt(lo), hi: fmt(hi), wd: fmt(wd), suggested: fmt(a.suggestedLr), minLoss: fmt(a.minLossLr), exploded, rule }),
    nextAction: msg('tuning.s3.next', { lr: fmt(a.suggestedLr) }),
  });
}
