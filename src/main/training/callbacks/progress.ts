/** Progress events: hands every finished batch and epoch to the caller's hooks (events to the shells, charts). */
import type { BatchLog, EpochLog } from '../../../shared/dto';
import { CALLBACK_ORDER, type Callback } from './callback';

export interface ProgressHooks {
  onBatch(b: BatchLog): void;
  onEpoch(e: EpochLog): void;
}

export function progress(hooks: ProgressHooks): Callback {
  return {
    name: 'progress',
    order: CALLBACK_ORDER.progress,
    batchEnd(loop) {
      if (loop.batchLog) hooks.onBatch(loop.batchLog);
    },
    epochEnd(loop) {
      if (loop.epochLog) hooks.onEpoch(loop.epochLog);
    },
  };
}
