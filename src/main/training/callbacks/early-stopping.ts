/**
 * Early stopping as a callback (docs/CONCEPTS.md#early-stopping): judges every epoch with EarlyStopping, fills
 * the epoch log's best epoch and patience, asks the loop to stop when patience runs out, and puts the best
 * weights back at the end when restoreBest asks for it. On resume it takes its counters from the checkpoint.
 */
import { EarlyStopping } from '../early-stopping';
import { loadCheckpoint } from '../checkpoint';
import { CALLBACK_ORDER, type Callback } from './callback';

export function earlyStopping(opts: { resumed: boolean }): Callback {
  let early: EarlyStopping | null = null;
  return {
    name: 'early-stopping',
    order: CALLBACK_ORDER.earlyStopping,
    async fitBegin(loop) {
      const cfg = loop.config.earlyStopping;
      early = new EarlyStopping(cfg, loop.hasValidation);
      if (opts.resumed) {
        early.bestEpoch = loop.state.bestEpoch;
        early.bestValue = loop.state.bestValue;
        early.wait = loop.state.wait;
        if (cfg.enabled && cfg.restoreBest && loop.state.bestEpoch !== null) {
          const best = await loadCheckpoint(loop.runDir, 'best');
          if (best) {
            early.keepWeights(best.model.getWeights());
            best.model.dispose();
          }
        }
      }
      if (cfg.enabled && !early.active) loop.log('warn', 'No validation images: early stopping is off for this run (the best epoch is judged on the training loss).');
    },
    epochEnd(loop) {
      if (!early || !loop.epochLog) return;
      loop.isBest = early.update(loop.epochLog, loop.model);
      loop.state = { ...loop.state, bestEpoch: early.bestEpoch, bestValue: early.bestValue, wait: early.wait };
      if (early.shouldStop) {
        loop.requestStop('early-stopped', `Early stopping: ${early.monitor} has not improved for ${loop.config.earlyStopping.patience} epoch(s); best epoch ${early.bestEpoch}.`);
      }
    },
    fitEnd(loop) {
      if (!early) return;
      try {
        if (loop.error !== null) return;
        const restored = early.restore(loop.model, loop.state.epochsDone);
        if (restored !== null) loop.log('info', `Restored the weights of the best epoch (${restored}, ${early.monitor} ${early.bestValue?.toPrecision(4)}).`);
      } finally {
        early.disposeWeights();
      }
    },
  };
}
