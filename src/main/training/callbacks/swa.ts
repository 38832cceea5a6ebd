/**
 * Stochastic weight averaging (Izmailov et al., 2018), the worked example of "a new training behaviour is one
 * callback file": from epoch `startEpoch` (1-based) on, keep the running mean of the weights at every epoch end,
 * and put that mean into the model when the fit ends. Batch-norm statistics are averaged like any other weight
 * (the paper recomputes them with one more pass; a model without batch norm needs nothing more).
 * Use: trainRun({ ..., callbacks: [swa({ startEpoch: 3 })] }).
 */
import * as tf from '@tensorflow/tfjs';
import type { Callback } from './callback';

export function swa(opts: { startEpoch: number }): Callback {
  let mean: tf.Tensor[] | null = null;
  let count = 0;
  return {
    name: 'swa',
    // After early stopping has judged the epoch, before checkpoints (which keep the raw weights for resuming).
    order: 65,
    epochEnd(loop) {
      if (loop.epoch + 1 < opts.startEpoch) return;
      const weights = loop.model.getWeights();
      count++;
      if (!mean) {
        mean = weights.map((w) => tf.clone(w));
        return;
      }
      const k = count;
      const next = tf.tidy(() => mean!.map((m, i) => tf.add(m, tf.div(tf.sub(weights[i]!, m), k))));
      mean.forEach((m) => m.dispose());
      mean = next;
    },
    fitEnd(loop) {
      if (mean && loop.error === null) {
        loop.model.setWeights(mean);
        loop.log('info', `Stochastic weight averaging: the model holds the mean of the weights of ${count} epoch(s) from epoch ${opts.startEpoch}.`);
      }
      mean?.forEach((m) => m.dispose());
      mean = null;
      count = 0;
    },
  };
}
