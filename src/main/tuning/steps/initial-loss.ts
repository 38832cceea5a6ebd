/**
 * Step 1 (docs/CONCEPTS.md#step-1-initial-loss): before any training, with weight decay 0, the mean cross-entropy of an untrained
 * classifier over C classes should be ≈ ln C (every class equally likely). Far off means something upstream is
 * wrong: inputs out of range, an initialisation that makes the logits large, or a loss that is not what we think.
 */
import * as tf from '@tensorflow/tfjs';
import type { TuneStepResult } from '../../../shared/tuning';
import { buildModel, LOGITS_LAYER, preprocessingFor } from '../../models';
import { toInputTensor } from '../../training';
import type { TuneContext } from '../context';
import { shuffledHead } from '../sample';
import { fmt, stepResult } from './step-result';
import { msg, type LabMessage } from '../../../shared/messages';

/** uint8 NHWC → model input. Tests pass a deliberately broken one (e.g. pixels ×255) to see the check catch it. */
export type InputFn = (x: Uint8Array, n: number, size: number, channels: number) => tf.Tensor4D;

export async function initialLossCheck(ctx: TuneContext, opts: { toInput?: InputFn } = {}): Promise<TuneStepResult> {
  const started = new Date();
  const config = { ...ctx.config, weightDecay: { kind: 'none' as const, value: 0 } };
  const C = ctx.data.train.classes.length;
  const pre = preprocessingFor(config);
  const toInput: InputFn = opts.toInput ?? ((x, n, s, ch) => toInputTensor(x, n, s, ch, pre.normalization));
  const batchSize = Math.max(1, config.batchSize);
  const sample = await shuffledHead(ctx.data.train, ctx.budgets.initialBatches * batchSize, config.seed);

  const model = await buildModel(config, C);
  // The loss straight from the logits (log-softmax) when the model has them, so a huge loss is not clipped away.
  const logits = model.layers.find((l) => l.name === LOGITS_LAYER);
  const view = logits ? tf.model({ inputs: model.inputs, outputs: logits.output as tf.SymbolicTensor }) : model;
  const rowBytes = sample.size * sample.size * sample.channels;
  let lossSum = 0;
  let seen = 0;
  let inMin = Infinity;
  let inMax = -Infinity;
  let batches = 0;
  try {
    for (let start = 0; start < sample.n; start += batchSize) {
      const n = Math.min(batchSize, sample.n - start);
      const x = toInput(sample.x.subarray(start * rowBytes, (start + n) * rowBytes), n, sample.size, sample.channels);
      const labels = tf.tensor1d(sample.y.subarray(start, start + n), 'int32');
      const [sum, lo, hi] = tf.tidy(() => {
        const out = view.predict(x) as tf.Tensor2D;
        const logP = logits ? tf.logSoftmax(out) : tf.log(tf.clipByValue(out, 1e-7, 1 - 1e-7));
        const y = tf.oneHot(labels, C).toFloat();
        return [tf.neg(tf.sum(tf.mul(y, logP))), tf.min(x), tf.max(x)];
      });
      lossSum += (await sum!.data())[0]!;
      inMin = Math.min(inMin, (await lo!.data())[0]!);
      inMax = Math.max(inMax, (await hi!.data())[0]!);
      seen += n;
      batches++;
      [x, labels, sum!, lo!, hi!].forEach((t) => t.dispose());
    }
  } finally {
    model.dispose();
  }

  const expected = Math.log(C);
  const loss = lossSum / Math.max(1, seen);
  const deviation = Number.isFinite(loss) ? Math.abs(loss - expected) / expected : Infinity;
  const ok = deviation <= ctx.budgets.lossTolerance;
  const numbers = {
    classes: C,
    images: seen,
    batches,
    expectedLoss: expected,
    meanLoss: loss,
    relativeDeviation: deviation,
    tolerance: ctx.budgets.lossTolerance,
    inputMin: inMin,
    inputMax: inMax,
  };
  const measured = msg('tuning.s1.measured', { loss: fmt(loss), images: seen, batches, classes: C, expected: fmt(expected), deviation: fmt(deviation * 100), tolerance: fmt(ctx.budgets.lossTolerance * 100) });
  if (ok) {
    return stepResult(1, started, {
      verdict: 'pass',
      numbers,
      explanation: msg('tuning.s1.pass', { measured }),
      nextAction: msg('tuning.s1.next'),
    });
  }
  const causes: LabMessage[] = [];
  let area: LabMessage | null = null;
  const wide = inMax - inMin;
  if (inMax > 10 || inMin < -10) causes.push(msg('tuning.s1.causeRange', { min: fmt(inMin), max: fmt(inMax) }));
  else if (wide < 1e-3) causes.push(msg('tuning.s1.causeConstant', { value: fmt(inMin) }));
  if (causes.length) area = msg('tuning.area.preprocessing');
  if (loss > expected) causes.push(msg('tuning.s1.causeInit'));
  else causes.push(msg('tuning.s1.causeBelowChance'));
  area ??= msg(loss > expected ? 'tuning.area.initialisation' : 'tuning.area.loss');
  causes.push(msg('tuning.s1.causeLoss', { classes: C }));
  return stepResult(1, started, {
    verdict: 'fail',
    numbers,
    explanation: msg('tuning.s1.fail', { measured }),
    nextAction: msg('tuning.s1.fix', { area }),
    causes,
  });
}
