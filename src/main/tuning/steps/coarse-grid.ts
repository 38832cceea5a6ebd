/**
 * Step 4 (docs/CONCEPTS.md#step-4-coarse-grid): a coarse grid, LR × {0.5, 1, 2} around step 3's suggestion × weight decay {0, 1e-5,
 * 1e-4}, a few epochs each, trained one after another and ranked by validation accuracy (validation loss breaks
 * ties; without a validation split, by final training loss).
 */
import type { GridCell, TuneStepResult } from '../../../shared/tuning';
import type { TuneContext } from '../context';
import { rankRows } from '../search/rank';
import { lastEpoch, trainTagged } from '../tagged-run';
import { clearlyBadRule } from '../search/terminate';
import { fmt, pct, stepResult } from './step-result';
import { msg, type LabMessage } from '../../../shared/messages';

export interface GridProgress {
  /** Cells already trained (from a run killed mid-grid); they are kept, not trained again. */
  done?: GridCell[];
  /** Called after every cell so the caller can persist the partial grid. */
  onCell?: (cells: GridCell[]) => void;
}

export async function coarseGrid(ctx: TuneContext, centerLr: number, source: LabMessage, progress: GridProgress = {}): Promise<TuneStepResult> {
  const started = new Date();
  const { gridLrFactors, gridWeightDecays, gridEpochs } = ctx.budgets;
  const cells: GridCell[] = [...(progress.done ?? [])];
  const runIds: string[] = cells.flatMap((c) => (c.runId ? [c.runId] : []));
  for (const f of gridLrFactors) {
    for (const wd of gridWeightDecays) {
      const lr = Math.min(10, centerLr * f);
      if (cells.some((c) => c.lr === lr && c.weightDecay === wd)) continue;
      if (ctx.io.signal?.aborted) break;
      const run = await trainTagged(ctx, {
        config: {
          ...ctx.config,
          name: `tune step 4 · lr ${fmt(lr)} · wd ${fmt(wd)}`,
          optimizer: { ...ctx.config.optimizer, lr },
          weightDecay: { kind: wd > 0 ? 'l2' : 'none', value: wd },
          schedule: { ...ctx.config.schedule, kind: 'constant', warmupEpochs: 0 },
          epochs: gridEpochs,
          earlyStopping: { ...ctx.config.earlyStopping, enabled: false },
          timeBudgetS: null,
        },
        tags: ['step:4'],
        terminateWhen: clearlyBadRule(ctx.data.train.classes.length),
      });
      runIds.push(run.runId);
      const last = lastEpoch(run.epochs);
      cells.push({
        runId: run.runId,
        lr,
        weightDecay: wd,
        valAccuracy: last?.valAccuracy ?? null,
        valLoss: last?.valLoss ?? null,
        trainLoss: last?.loss ?? null,
        epochsDone: run.epochs.length,
        status: run.outcome === 'diverged' ? 'diverged' : run.outcome === 'terminated' ? 'terminated' : run.outcome === 'failed' || run.outcome === 'stopped' ? 'failed' : 'ok',
        rank: null,
      });
      progress.onCell?.(cells);
    }
  }
  const ranked = rankRows(cells);
  ranked.forEach((c, i) => (c.rank = c.status === 'ok' || c.status === 'terminated' ? i + 1 : null));
  const best = ranked.find((c) => c.rank !== null) ?? null;
  const byVal = ctx.data.val !== null && ctx.data.val.n > 0;
  const diverged = cells.filter((c) => c.status === 'diverged').length;
  const numbers: TuneStepResult['numbers'] = {
    centerLr,
    cells: cells.length,
    epochsEach: gridEpochs,
    diverged,
    terminated: cells.filter((c) => c.status === 'terminated').length,
    bestLr: best?.lr ?? null,
    bestWeightDecay: best?.weightDecay ?? null,
    bestValAccuracy: best?.valAccuracy ?? null,
    bestValLoss: best?.valLoss ?? null,
  };
  const grid = ranked;
  if (ctx.io.signal?.aborted) {
    return stepResult(4, started, { verdict: 'fail', numbers, runIds, grid, explanation: msg('tuning.s4.stopped', { cells: cells.length }), nextAction: msg('tuning.rerun', { step: 4 }) });
  }
  if (!best) {
    return stepResult(4, started, {
      verdict: 'fail',
      numbers,
      runIds,
      grid,
      explanation: msg('tuning.s4.allFailed', { lr: fmt(centerLr) }),
      causes: [msg('tuning.s4.causeHigh')],
      nextAction: msg('tuning.s4.lower', { lr: fmt(centerLr / 10) }),
    });
  }
  const second = ranked[1];
  const margin = second && second.valAccuracy !== null && best.valAccuracy !== null ? best.valAccuracy - second.valAccuracy : null;
  return stepResult(4, started, {
    verdict: diverged > cells.length / 2 ? 'warn' : 'pass',
    numbers,
    runIds,
    grid,
    explanation: msg(diverged ? 'tuning.s4.explainDiverged' : 'tuning.s4.explain', {
      summary: byVal
        ? msg('tuning.s4.summaryVal', { cells: cells.length, lr: fmt(centerLr), source, epochs: gridEpochs, bestLr: fmt(best.lr), bestWd: fmt(best.weightDecay), accuracy: pct(best.valAccuracy) })
        : msg('tuning.s4.summaryTrain', { cells: cells.length, lr: fmt(centerLr), source, epochs: gridEpochs, bestLr: fmt(best.lr), bestWd: fmt(best.weightDecay), loss: fmt(best.trainLoss) }),
      margin: margin === null ? msg('tuning.s4.period') : margin === 0 ? msg('tuning.s4.tied') : msg('tuning.s4.ahead', { points: fmt(margin * 100) }),
      diverged: msg('tuning.s4.diverged', { count: diverged }),
      note: msg('tuning.s4.shortRuns'),
    }),
    nextAction: msg('tuning.s4.next', { lr: fmt(best.lr), wd: fmt(best.weightDecay), epochs: ctx.budgets.refineEpochs }),
  });
}
