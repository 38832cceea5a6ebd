/**
 * Step 2 (docs/CONCEPTS.md#step-2-overfit-a-small-sample): a network that cannot memorise 5–10 images per class will not learn the dataset.
 * Trains on the small sample (no weight decay, no augmentation) until 100 % training accuracy or the epoch budget.
 * Training accuracy is measured in inference mode on the sample itself (passed as the run's validation split),
 * so dropout does not hide a model that has in fact memorised it.
 */
import { TRAINING_SAMPLE_TAG, type TuneStepResult } from '../../../shared/tuning';
import type { TuneContext } from '../context';
import { perClassSample } from '../sample';
import { EXPLODE_OVER_CHANCE } from '../search/terminate';
import { trainTagged } from '../tagged-run';
import { fmt, note, pct, stepResult } from './step-result';
import { msg } from '../../../shared/messages';

/** Relative drop of the epoch loss below this over the whole budget counts as "flat". */
const FLAT_DROP = 0.1;

export async function overfitSmallSample(ctx: TuneContext): Promise<TuneStepResult> {
  const started = new Date();
  const k = ctx.budgets.overfitPerClass;
  const sample = await perClassSample(ctx.data.train, k, ctx.config.seed);
  const config = {
    ...ctx.config,
    name: `tune step 2 · overfit ${sample.n} images`,
    weightDecay: { kind: 'none' as const, value: 0 },
    epochs: ctx.budgets.overfitMaxEpochs,
    batchSize: Math.min(ctx.config.batchSize, sample.n),
    earlyStopping: { ...ctx.config.earlyStopping, enabled: false },
    augmentation: { preset: 'none' as const },
    timeBudgetS: null,
  };
  const chance = Math.log(sample.classes.length);
  const run = await trainTagged(ctx, {
    config,
    tags: ['step:2', TRAINING_SAMPLE_TAG],
    train: sample,
    val: sample,
    stopWhen: (e) => (e.valAccuracy === 1 ? `reached 100 % training accuracy at epoch ${e.epoch}` : null),
    // Exploding counts as diverging: with the loss taken from logits it may grow huge long before it is NaN.
    terminateWhen: (e) => (e.loss > EXPLODE_OVER_CHANCE * chance ? `the loss exploded to ${fmt(e.loss)} at epoch ${e.epoch} (over ${EXPLODE_OVER_CHANCE} × ln C = ${fmt(EXPLODE_OVER_CHANCE * chance)})` : null),
  });
  const lr = config.optimizer.lr;
  const first = run.epochs[0];
  const last = run.epochs[run.epochs.length - 1];
  const reached = run.outcome === 'halted';
  const numbers: TuneStepResult['numbers'] = {
    images: sample.n,
    perClass: k,
    lr,
    epochsBudget: config.epochs,
    epochsNeeded: reached ? (last?.epoch ?? null) : null,
    epochsDone: run.epochs.length,
    trainAccuracy: last?.valAccuracy ?? null,
    firstLoss: first?.loss ?? null,
    lastLoss: last?.loss ?? null,
  };
  const runIds = [run.runId];
  const why = run.error?.msg ?? note(run.note ?? '');
  if (run.outcome === 'diverged' || run.outcome === 'terminated') {
    numbers.divergedAtEpoch = run.outcome === 'diverged' ? ((run.error?.details as { epoch?: number } | undefined)?.epoch ?? null) : (last?.epoch ?? null);
    numbers.maxLoss = Math.max(...run.epochs.map((e) => e.loss));
    return stepResult(2, started, {
      verdict: 'fail',
      numbers,
      runIds,
      explanation: msg(run.outcome === 'diverged' ? 'tuning.s2.diverged' : 'tuning.s2.exploded', { images: sample.n, lr: fmt(lr), note: why }),
      causes: [msg('tuning.s2.causeLrHigh'), msg('tuning.s2.causeInputs')],
      nextAction: msg('tuning.s2.lowerLr', { lr: fmt(lr / 10) }),
    });
  }
  if (run.outcome === 'failed' || run.outcome === 'stopped') {
    return stepResult(2, started, {
      verdict: 'fail',
      numbers,
      runIds,
      explanation: run.outcome === 'stopped' ? msg('tuning.s2.stopped') : msg('tuning.failed', { note: why }),
      nextAction: msg('tuning.rerun', { step: 2 }),
    });
  }
  if (reached) {
    return stepResult(2, started, {
      verdict: 'pass',
      numbers,
      runIds,
      explanation: msg('tuning.s2.pass', { images: sample.n, perClass: k, epochs: last!.epoch, lr: fmt(lr), first: fmt(first?.loss), last: fmt(last?.loss) }),
      nextAction: msg('tuning.s2.next'),
    });
  }
  const drop = first && last ? (first.loss - last.loss) / Math.max(first.loss, 1e-12) : 0;
  numbers.lossDrop = drop;
  if (drop < FLAT_DROP) {
    return stepResult(2, started, {
      verdict: 'fail',
      numbers,
      runIds,
      explanation: msg(drop < 0 ? 'tuning.s2.flat' : 'tuning.s2.barely', { epochs: run.epochs.length, first: fmt(first?.loss), last: fmt(last?.loss), accuracy: pct(last?.valAccuracy) }),
      causes: [msg('tuning.s2.causeLrLow'), msg('tuning.s2.causeSmall')],
      nextAction: msg('tuning.s2.raiseLr', { lr: fmt(Math.min(10, lr * 10)) }),
    });
  }
  return stepResult(2, started, {
    verdict: 'warn',
    numbers,
    runIds,
    explanation: msg('tuning.s2.partial', { first: fmt(first?.loss), last: fmt(last?.loss), accuracy: pct(last?.valAccuracy), epochs: run.epochs.length }),
    causes: [msg('tuning.s2.causeBudget')],
    nextAction: msg('tuning.s2.moreEpochs'),
  });
}
