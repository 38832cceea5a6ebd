/**
 * Ends a run after an epoch when a rule says so (the tuning guide's "100 % training accuracy reached", the search's
 * "clearly bad"): the first rule that returns a note stops the fit cleanly; `onStop` learns which rule and why.
 */
import type { EpochLog } from '../../../shared/dto';
import { CALLBACK_ORDER, type Callback } from './callback';

export type EpochRule = (log: EpochLog, all: EpochLog[]) => string | null;

export function stopWhen(rules: readonly (EpochRule | undefined)[], onStop: (rule: number, note: string) => void): Callback {
  const epochs: EpochLog[] = [];
  let stopped = false;
  return {
    name: 'stop-when',
    order: CALLBACK_ORDER.stopRequests,
    epochEnd(loop) {
      if (!loop.epochLog) return;
      epochs.push(loop.epochLog);
      if (stopped) return;
      for (const [i, rule] of rules.entries()) {
        const note = rule?.(loop.epochLog, epochs) ?? null;
        if (note !== null) {
          stopped = true;
          onStop(i, note);
          loop.requestStop('stopped');
          return;
        }
      }
    },
  };
}
