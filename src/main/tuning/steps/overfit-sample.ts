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
import { fmt, pct, stepResult } from './step-result';

/** Relative drop of the epoch loss below this over the whole budget counts as "flat". */
const FLAT_DROP = 0.1;

export async function overfitSmallSample(ctx: TuneContext): Promise<TuneStepResult> {
  const started = new Date();
  const k = ctx.budgets.overfitPerClass;
  const sample = perClassSample(ctx.data.train, k, ctx.config.seed);
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
  if (run.outcome === 'diverged' || run.outcome === 'terminated') {
    numbers.divergedAtEpoch = run.outcome === 'diverged' ? ((run.error?.details as { epoch?: number } | undefined)?.epoch ?? null) : (last?.epoch ?? null);
    numbers.maxLoss = Math.max(...run.epochs.map((e) => e.loss));
    return stepResult(2, started, {
      verdict: 'fail',
      numbers,
      runIds,
      explanation: `The loss ${run.outcome === 'diverged' ? 'became NaN/Inf' : 'exploded'} while fitting ${sample.n} images at learning rate ${fmt(lr)}: ${run.note}.`,
      causes: ['Learning rate too large: each step overshoots until the numbers overflow.', 'Inputs out of range: unscaled pixels (0–255) make activations and gradients huge.'],
      nextAction: `Lower the learning rate about 10× (to ${fmt(lr / 10)}) and check step 1's input range, then run step 2 again.`,
    });
  }
  if (run.outcome === 'failed' || run.outcome === 'stopped') {
    return stepResult(2, started, {
      verdict: 'fail',
      numbers,
      runIds,
      explanation: run.outcome === 'stopped' ? 'Stopped before the sample was fitted.' : `Training failed: ${run.note}`,
      nextAction: 'Run step 2 again.',
    });
  }
  if (reached) {
    return stepResult(2, started, {
      verdict: 'pass',
      numbers,
      runIds,
      explanation: `Reached 100 % training accuracy on ${sample.n} images (${k} per class) after ${last!.epoch} epoch(s) at learning rate ${fmt(lr)}; loss ${fmt(first?.loss)} → ${fmt(last?.loss)}. The model has the capacity to learn and the gradients flow.`,
      nextAction: 'Go on to step 3: find a learning rate on all the data.',
    });
  }
  const drop = first && last ? (first.loss - last.loss) / Math.max(first.loss, 1e-12) : 0;
  numbers.lossDrop = drop;
  if (drop < FLAT_DROP) {
    return stepResult(2, started, {
      verdict: 'fail',
      numbers,
      runIds,
      explanation: `After ${run.epochs.length} epochs the loss ${drop < 0 ? 'did not fall' : 'barely moved'} (${fmt(first?.loss)} → ${fmt(last?.loss)}) and training accuracy is ${pct(last?.valAccuracy)}.`,
      causes: ['Learning rate too small: the steps are too short to move the loss.', 'Model too small for the task, or a bad initialisation.'],
      nextAction: `Raise the learning rate about 10× (to ${fmt(Math.min(10, lr * 10))}) or use a bigger model, then run step 2 again.`,
    });
  }
  return stepResult(2, started, {
    verdict: 'warn',
    numbers,
    runIds,
    explanation: `The loss fell (${fmt(first?.loss)} → ${fmt(last?.loss)}) but training accuracy reached only ${pct(last?.valAccuracy)} within ${run.epochs.length} epochs.`,
    causes: ['The epoch budget is short for this learning rate, or the model is small.'],
    nextAction: 'Give step 2 more epochs or raise the learning rate a little; going on is possible but the model may underfit.',
  });
}
