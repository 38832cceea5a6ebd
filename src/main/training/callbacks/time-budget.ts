/** The time budget: after an epoch, stop when the run's training time (over resumes, pauses excluded) has reached it. */
import { CALLBACK_ORDER, type Callback } from './callback';

export function timeBudget(): Callback {
  return {
    name: 'time-budget',
    order: CALLBACK_ORDER.timeBudget,
    epochEnd(loop) {
      const budget = loop.config.timeBudgetS;
      if (budget !== null && loop.state.elapsedS >= budget) {
        loop.requestStop('time-budget', `Time budget of ${budget} s reached after epoch ${loop.epoch + 1}.`);
      }
    },
  };
}
