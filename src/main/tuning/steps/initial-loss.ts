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

/** uint8 NHWC → model input. Tests pass a deliberately broken one (e.g. pixels ×255) to see the check catch it. */
export type InputFn = (x: Uint8Array, n: number, size: number, channels: number) => tf.Tensor4D;

export async function initialLossCheck(ctx: TuneContext, opts: { toInput?: InputFn } = {}): Promise<TuneStepResult> {
  const started = new Date();
  const config = { ...ctx.config, weightDecay: { kind: 'none' as const, value: 0 } };
  const C = ctx.data.train.classes.length;
  const pre = preprocessingFor(config);
  const toInput: InputFn = opts.toInput ?? ((x, n, s, ch) => toInputTensor(x, n, s, ch, pre.normalization));
  const batchSize = Math.max(1, config.batchSize);
  const sample = shuffledHead(ctx.data.train, ctx.budgets.initialBatches * batchSize, config.seed);

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
  const measured = `Mean loss ${fmt(loss)} over ${seen} images (${batches} batches) vs ln ${C} = ${fmt(expected)}: off by ${fmt(deviation * 100)} % (tolerance ${fmt(ctx.budgets.lossTolerance * 100)} %).`;
  if (ok) {
    return stepResult(1, started, {
      verdict: 'pass',
      numbers,
      explanation: `${measured} An untrained network that guesses every class with equal probability scores ln C, so preprocessing, initialisation and the loss look sane.`,
      nextAction: 'Go on to step 2: overfit a small sample.',
    });
  }
  const causes: string[] = [];
  const wide = inMax - inMin;
  if (inMax > 10 || inMin < -10) causes.push(`Preprocessing: the model's inputs range over [${fmt(inMin)}, ${fmt(inMax)}], far outside [0, 1] or [−1, 1]; scale pixels (x/255) before the model.`);
  else if (wide < 1e-3) causes.push(`Preprocessing: the inputs are constant (${fmt(inMin)}); check decoding and normalisation.`);
  if (loss > expected) causes.push('Initialisation: the initial weights make the logits large (a confident guess before training); use Glorot/He initialisation and no large constant bias in the last layer.');
  else causes.push('Loss: the loss is below chance before training; check that labels match the images and that the loss is softmax cross-entropy over one-hot labels.');
  causes.push(`Loss: check the loss is softmax cross-entropy over all ${C} classes (not binary, not applied twice to probabilities).`);
  return stepResult(1, started, {
    verdict: 'fail',
    numbers,
    explanation: `${measured} The initial loss should be close to ln C before training; this far off, something upstream of training is wrong.`,
    nextAction: `Fix the first likely cause (${causes[0]!.split(':')[0]!.toLowerCase()}) and run step 1 again before tuning anything.`,
    causes,
  });
}
