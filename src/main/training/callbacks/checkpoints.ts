/**
 * Checkpoints after every epoch: checkpoints/best when the epoch is the best so far, checkpoints/last always
 * (with the optimizer's slots, so a resume continues exactly), and the run's progress in run.json.
 */
import { updateRunProgress } from '../../runs/run-files';
import { saveCheckpoint } from '../checkpoint';
import { CALLBACK_ORDER, type Callback } from './callback';

export function checkpoints(): Callback {
  return {
    name: 'checkpoints',
    order: CALLBACK_ORDER.checkpoints,
    async epochEnd(loop) {
      const log = loop.epochLog;
      if (!log) return;
      if (loop.isBest) await saveCheckpoint(loop.runDir, 'best', loop.model, loop.state);
      await saveCheckpoint(loop.runDir, 'last', loop.model, loop.state, loop.step.optimizer.getState());
      const { bestEpoch } = loop.state;
      await updateRunProgress(loop.runDir, {
        epochsDone: log.epoch,
        bestEpoch,
        ...(log.valLoss !== null && bestEpoch === log.epoch ? { bestValLoss: log.valLoss, bestValAccuracy: log.valAccuracy } : {}),
      });
    },
  };
}
