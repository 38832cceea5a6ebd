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

export interface GridProgress {
  /** Cells already trained (from a run killed mid-grid); they are kept, not trained again. */
  done?: GridCell[];
  /** Called after every cell so the caller can persist the partial grid. */
  onCell?: (cells: GridCell[]) => void;
}

export async function coarseGrid(ctx: TuneContext, centerLr: number, source: string, progress: GridProgress = {}): Promise<TuneStepResult> {
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
    return stepResult(4, started, { verdict: 'fail', numbers, runIds, grid, explanation: `Stopped after ${cells.length} cell(s); run step 4 again to finish the grid.`, nextAction: 'Run step 4 again.' });
  }
  if (!best) {
    return stepResult(4, started, {
      verdict: 'fail',
      numbers,
      runIds,
      grid,
      explanation: `Every cell of the grid around ${fmt(centerLr)} diverged or failed.`,
      causes: ['The centre learning rate is too high.'],
      nextAction: `Run step 3 again with a lower range, or rerun step 4 around ${fmt(centerLr / 10)}.`,
    });
  }
  const second = ranked[1];
  const margin = second && second.valAccuracy !== null && best.valAccuracy !== null ? best.valAccuracy - second.valAccuracy : null;
  return stepResult(4, started, {
    verdict: diverged > cells.length / 2 ? 'warn' : 'pass',
    numbers,
    runIds,
    grid,
    explanation:
      `${cells.length} settings around ${fmt(centerLr)} (${source}), ${gridEpochs} epoch(s) each, ranked by ${byVal ? 'validation accuracy' : 'final training loss (no validation split)'}. ` +
      `Best: LR ${fmt(best.lr)}, weight decay ${fmt(best.weightDecay)} with ${byVal ? `validation accuracy ${pct(best.valAccuracy)}` : `training loss ${fmt(best.trainLoss)}`}` +
      (margin === null ? '.' : margin === 0 ? ', tied on accuracy with the next (validation loss, then training loss, break ties).' : `, ${fmt(margin * 100)} points ahead of the next.`) +
      (diverged ? ` ${diverged} setting(s) diverged.` : '') +
      ' Short runs only rank settings; they do not show how far each can go.',
    nextAction: `Go on to step 5: train LR ${fmt(best.lr)}, weight decay ${fmt(best.weightDecay)} for ${ctx.budgets.refineEpochs} epochs.`,
  });
}
