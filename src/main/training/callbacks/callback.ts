/**
 * The trainer's callback protocol (after tfjs-layers' `BaseCallback`, Keras' `Callback` and fastai's `Callback`):
 * one fixed list of events, callbacks called in ascending `order`, and two ways to end things early.
 *
 * - Throw `CancelBatch`, `CancelEpoch` or `CancelFit` (fastai's cancel exceptions) from any event to skip the
 *   rest of that batch, that epoch, or the whole fit at once. The remaining callbacks of the event are skipped;
 *   the `*End` events of what was cancelled still run, so checkpoints and logs stay consistent.
 * - Call `loop.requestStop(reason, message)` (Keras' `model.stopTraining`) to end the fit cleanly after the
 *   current epoch has finished all its `epochEnd` callbacks. The first request wins.
 *
 * Adding a training behaviour means writing one callback file (and its test) and passing it in
 * `TrainRunOptions.callbacks`; see docs/ARCHITECTURE.md#training-loop-and-callbacks.
 */
import type { TrainLoop } from '../train-loop';

/** Every event a callback can handle, in the order the loop fires them. */
export const TRAIN_EVENTS = ['fitBegin', 'epochBegin', 'batchBegin', 'batchEnd', 'epochEnd', 'fitEnd'] as const;
export type TrainEvent = (typeof TRAIN_EVENTS)[number];

export type CallbackHandler = (loop: TrainLoop) => void | Promise<void>;

export type Callback = {
  /** Shown in errors and tests. */
  readonly name: string;
  /** Lower runs first for every event; ties keep the order they were passed in. See CALLBACK_ORDER. */
  readonly order: number;
} & Partial<Record<TrainEvent, CallbackHandler>>;

/**
 * The built-in callbacks' places, spaced so a new one can slot in between. Within one event:
 * pause/stop and the schedule before the batch; the NaN guard before anything reads the batch's loss;
 * early stopping fills the epoch log's best epoch before it is reported, written or checkpointed.
 */
export const CALLBACK_ORDER = {
  pauseStop: 10,
  schedule: 20,
  nanGuard: 30,
  earlyStopping: 40,
  metricsLog: 50,
  progress: 60,
  checkpoints: 70,
  stopRequests: 80,
  timeBudget: 90,
} as const;

/** Base of the three cancel signals. `reason` is what the fit reports when this cancel ends it. */
export class CancelTraining extends Error {
  constructor(readonly reason: string | null = null) {
    super(reason ?? 'cancelled');
  }
}
/** Skip the rest of this batch (its update has been made if thrown after the step). */
export class CancelBatch extends CancelTraining {}
/** Skip the rest of this epoch; it is not validated, logged or checkpointed. */
export class CancelEpoch extends CancelTraining {}
/** End the fit now; `reason` (e.g. 'stopped') becomes the run's stop reason. */
export class CancelFit extends CancelTraining {}

/** Sorts callbacks by order, stable for ties. */
export function sortCallbacks(callbacks: readonly Callback[]): Callback[] {
  return callbacks.map((cb, i) => ({ cb, i })).sort((a, b) => a.cb.order - b.cb.order || a.i - b.i).map((e) => e.cb);
}

/** Runs one event through every callback that handles it, in order. Cancel signals propagate to the loop. */
export async function fire(callbacks: readonly Callback[], event: TrainEvent, loop: TrainLoop): Promise<void> {
  for (const cb of callbacks) {
    const handler = cb[event];
    if (handler) await handler.call(cb, loop);
  }
}
