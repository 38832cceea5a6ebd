/**
 * Keras' TerminateOnNaN, with the document's diagnosis: a NaN or infinite batch loss ends the run as failed
 * (no update was made with it), naming the epoch, the batch and the learning rate.
 */
import { LabError } from '../../../shared/errors';
import { msg } from '../../../shared/messages';
import { CALLBACK_ORDER, type Callback } from './callback';

export function nanGuard(): Callback {
  return {
    name: 'nan-guard',
    order: CALLBACK_ORDER.nanGuard,
    batchEnd(loop) {
      const loss = loop.batchLog?.loss;
      if (loss === undefined || Number.isFinite(loss)) return;
      const what = Number.isNaN(loss) ? 'NaN' : 'Inf';
      const epoch = loop.epoch + 1;
      const batch = loop.batch + 1;
      const message = `loss became ${what} at epoch ${epoch} batch ${batch}: learning rate likely too large or inputs out of range`;
      loop.log('error', message);
      throw new LabError('NAN_LOSS', msg('error.train.nanLoss', { what, epoch, batch }), { epoch, batch, lr: loop.lr });
    },
  };
}
