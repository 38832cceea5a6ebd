/**
 * Checkpoints: checkpoints/last (with the optimizer's slots, so a resume continues exactly), checkpoints/best
 * (the best epoch so far) and the run's progress in run.json.
 *
 * Writing two model folders after every epoch costs more than a short epoch itself (a head trained on cached
 * embeddings runs an epoch in milliseconds), so the folders are written at most every `everyS` seconds of wall
 * time, and always after the last epoch, when the fit ends for any other reason (stop, early stopping, time budget,
 * an error), and after an epoch that took longer than the interval. Between writes the finished epoch (weights,
 * optimizer slots, loop state) and the best epoch are kept in memory and written at the next flush.
 * The crash-safety promise: a kill loses at most `everyS` seconds of training (or the epoch in progress, when one
 * epoch is longer); a clean stop loses nothing. run.json's progress is still updated after every epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { updateRunProgress } from '../../runs/run-files';
import { saveCheckpoint, type LoopState } from '../checkpoint';
import type { OptimizerState } from '../rule-optimizer';
import type { TrainLoop } from '../train-loop';
import { CALLBACK_ORDER, type Callback } from './callback';

/** Default longest wall time between two checkpoint writes. */
export const CHECKPOINT_EVERY_S = 10;

interface Snapshot {
  /** Weight values in model.getWeights() order (copies: training goes on changing the model's own). */
  weights: Float32Array[];
  state: LoopState;
  optimizer?: OptimizerState;
}

function snapshotWeights(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
}

function copyOptimizer(o: OptimizerState): OptimizerState {
  return { name: o.name, slots: o.slots.map((s) => ({ ...s, ...(s.v ? { v: s.v.slice() } : {}), ...(s.c ? { c: s.c.slice() } : {}), ...(s.m ? { m: s.m.slice() } : {}) })) };
}

/** Saves `snap`'s weights through the loop's model, then puts the model's current weights back. */
async function saveSnapshot(loop: TrainLoop, which: 'last' | 'best', snap: Snapshot): Promise<void> {
  const current = loop.model.getWeights();
  const keep = current.map((w) => w.clone());
  try {
    const values = snap.weights.map((v, i) => tf.tensor(v, current[i]!.shape, current[i]!.dtype));
    loop.model.setWeights(values);
    values.forEach((t) => t.dispose());
    await saveCheckpoint(loop.runDir, which, loop.model, snap.state, snap.optimizer);
  } finally {
    loop.model.setWeights(keep);
    keep.forEach((t) => t.dispose());
  }
}

export function checkpoints(opts: { everyS?: number } = {}): Callback {
  const everyMs = (opts.everyS ?? CHECKPOINT_EVERY_S) * 1000;
  let lastWriteAt = 0;
  let pendingLast: Snapshot | null = null;
  let pendingBest: Snapshot | null = null;

  async function flush(loop: TrainLoop): Promise<void> {
    if (pendingBest) await saveSnapshot(loop, 'best', pendingBest);
    if (pendingLast) await saveSnapshot(loop, 'last', pendingLast);
    pendingBest = null;
    pendingLast = null;
    lastWriteAt = loop.now();
  }

  return {
    name: 'checkpoints',
    order: CALLBACK_ORDER.checkpoints,
    fitBegin(loop) {
      lastWriteAt = loop.now();
      pendingLast = null;
      pendingBest = null;
    },
    async epochEnd(loop) {
      const log = loop.epochLog;
      if (!log) return;
      const { bestEpoch } = loop.state;
      await updateRunProgress(loop.runDir, {
        epochsDone: log.epoch,
        bestEpoch,
        ...(log.valLoss !== null && bestEpoch === log.epoch ? { bestValLoss: log.valLoss, bestValAccuracy: log.valAccuracy } : {}),
      });
      const lastEpoch = loop.epoch + 1 >= loop.config.epochs;
      if (lastEpoch || loop.now() - lastWriteAt >= everyMs) {
        // Written straight from the model: nothing older is pending any more.
        if (loop.isBest) {
          pendingBest = null;
          await saveCheckpoint(loop.runDir, 'best', loop.model, loop.state);
        } else if (pendingBest) {
          await saveSnapshot(loop, 'best', pendingBest);
          pendingBest = null;
        }
        await saveCheckpoint(loop.runDir, 'last', loop.model, loop.state, loop.step.optimizer.getState());
        pendingLast = null;
        lastWriteAt = loop.now();
        return;
      }
      const weights = snapshotWeights(loop.model);
      if (loop.isBest) pendingBest = { weights, state: loop.state };
      pendingLast = { weights, state: loop.state, optimizer: copyOptimizer(loop.step.optimizer.getState()) };
    },
    async fitEnd(loop) {
      if (!pendingLast && !pendingBest) return;
      if (loop.error === null) {
        await flush(loop);
        return;
      }
      // Keep the finished epochs even when the fit failed; the original error is what the run reports.
      await flush(loop).catch(() => {});
    },
  };
}
