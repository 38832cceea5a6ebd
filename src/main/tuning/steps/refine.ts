/**
 * Step 5 (docs/CONCEPTS.md#step-5-refine): the best setting trained longer at a constant LR. Early stopping watches (and may stop
 * the run when validation stops improving) but does not restore, so the curves show what really happened.
 */
import type { TuneStepResult } from '../../../shared/tuning';
import type { TuneContext } from '../context';
import { trainTagged } from '../tagged-run';
import { fmt, pct, stepResult } from './step-result';

export async function refine(ctx: TuneContext, lr: number, weightDecay: number, source: string): Promise<TuneStepResult> {
  const started = new Date();
  const epochs = ctx.budgets.refineEpochs;
  const run = await trainTagged(ctx, {
    config: {
      ...ctx.config,
      name: `tune step 5 · lr ${fmt(lr)} · wd ${fmt(weightDecay)} · ${epochs} epochs`,
      optimizer: { ...ctx.config.optimizer, lr },
      weightDecay: { kind: weightDecay > 0 ? 'l2' : 'none', value: weightDecay },
      schedule: { ...ctx.config.schedule, kind: 'constant', warmupEpochs: 0 },
      epochs,
      earlyStopping: { ...ctx.config.earlyStopping, enabled: true, restoreBest: false, patience: ctx.budgets.refinePatience },
      timeBudgetS: null,
    },
    tags: ['step:5'],
  });
  const e = run.epochs;
  const last = e[e.length - 1];
  const withVal = e.filter((x) => x.valLoss !== null && Number.isFinite(x.valLoss));
  const best = withVal.reduce<(typeof e)[number] | null>((b, x) => (b === null || x.valLoss! < b.valLoss! ? x : b), null);
  // Stability: the largest epoch-to-epoch rise of the training loss, relative to the loss before it.
  let worstRise = 0;
  for (let i = 1; i < e.length; i++) worstRise = Math.max(worstRise, (e[i]!.loss - e[i - 1]!.loss) / Math.max(e[i - 1]!.loss, 1e-12));
  const numbers: TuneStepResult['numbers'] = {
    lr,
    weightDecay,
    epochsBudget: epochs,
    epochsDone: e.length,
    bestEpoch: best?.epoch ?? null,
    bestValLoss: best?.valLoss ?? null,
    bestValAccuracy: best?.valAccuracy ?? null,
    finalTrainAccuracy: last?.accuracy ?? null,
    finalValAccuracy: last?.valAccuracy ?? null,
    worstTrainLossRise: worstRise,
    earlyStopped: run.outcome === 'early-stopped' ? 'yes' : 'no',
  };
  const runIds = [run.runId];
  if (run.outcome === 'diverged' || run.outcome === 'failed' || run.outcome === 'stopped') {
    return stepResult(5, started, {
      verdict: 'fail',
      numbers,
      runIds,
      explanation: run.outcome === 'stopped' ? 'Stopped before the run finished.' : `Training at LR ${fmt(lr)} did not hold over ${epochs} epochs: ${run.note}`,
      causes: run.outcome === 'diverged' ? ['The learning rate is stable for a few epochs but not for many.'] : [],
      nextAction: run.outcome === 'diverged' ? `Rerun step 5 at half the learning rate (${fmt(lr / 2)}).` : 'Run step 5 again.',
    });
  }
  const unstable = worstRise > 0.5;
  const stopped = run.outcome === 'early-stopped' ? ` Validation loss stopped improving after epoch ${best?.epoch}; early stopping ended the run at epoch ${e.length} (weights not restored).` : '';
  return stepResult(5, started, {
    verdict: unstable ? 'warn' : 'pass',
    numbers,
    runIds,
    explanation:
      `LR ${fmt(lr)}, weight decay ${fmt(weightDecay)} (${source}) trained ${e.length} epoch(s) at a constant rate: training accuracy ${pct(last?.accuracy)}, validation accuracy ${pct(last?.valAccuracy)} (best ${pct(best?.valAccuracy)} at epoch ${best?.epoch ?? '–'}).` +
      stopped +
      (unstable ? ` The training loss jumped by up to ${fmt(worstRise * 100)} % between epochs: the rate is at the edge of stability.` : ' The training loss fell without large jumps.'),
    nextAction: 'Go on to step 6: read the curves of this run.',
  });
}
