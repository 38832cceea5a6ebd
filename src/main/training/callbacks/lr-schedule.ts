/** The learning-rate schedule (warm-up, step, exponential, cosine): sets the rate of every batch before its step. */
import { learningRateAt } from '../lr-schedule';
import { CALLBACK_ORDER, type Callback } from './callback';

export function lrSchedule(): Callback {
  return {
    name: 'lr-schedule',
    order: CALLBACK_ORDER.schedule,
    batchBegin(loop) {
      loop.lr = learningRateAt(loop.config, loop.epoch, loop.batch, loop.batchesPerEpoch);
    },
  };
}
