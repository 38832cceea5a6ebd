/**
 * Step 5 (docs/CONCEPTS.md#step-5-refine): the best setting trained longer at a constant LR. Early stopping watches (and may stop
 * the run when validation stops improving) but does not restore, so the curves show what really happened.
 */
import type { TuneStepResult } from '../../../shared/tuning';
import type { TuneContext } from '../context';
import { trainTagged } from '../tagged-run';
import { fmt, note, pct, stepResult } from './step-result';
import { msg, type LabMessage } from '../../../shared/messages';

export async function refine(ctx: TuneContext, lr: number, weightDecay: number, source: LabMessage): Promise<TuneStepResult> {
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
      explanation: run.outcome === 'stopped' ? msg('tuning.s5.stopped') : msg('tuning.s5.failed', { lr: fmt(lr), epochs, note: run.error?.msg ?? note(run.note ?? '') }),
      causes: run.outcome === 'diverged' ? [msg('tuning.s5.causeUnstable')] : [],
      nextAction: run.outcome === 'diverged' ? msg('tuning.s5.halfLr', { lr: fmt(lr / 2) }) : msg('tuning.rerun', { step: 5 }),
    });
  }
  const unstable = worstRise > 0.5;
  const summary = msg('tuning.s5.summary', {
    lr: fmt(lr),
    wd: fmt(weightDecay),
    source,
    epochs: e.length,
    trainAccuracy: pct(last?.accuracy),
    valAccuracy: pct(last?.valAccuracy),
    bestAccuracy: pct(best?.valAccuracy),
    bestEpoch: best?.epoch ?? '–',
  });
  const stopped = run.outcome === 'early-stopped' ? [msg('tuning.s5.earlyStopped', { best: best?.epoch ?? '–', epoch: e.length })] : [];
  const stability = unstable ? msg('tuning.s5.jumped', { rise: fmt(worstRise * 100) }) : msg('tuning.s5.smooth');
  return stepResult(5, started, {
    verdict: unstable ? 'warn' : 'pass',
    numbers,
    runIds,
    explanation: msg('common.sentences', { items: [summary, ...stopped, stability] }),
    nextAction: msg('tuning.s5.next'),
  });
}
