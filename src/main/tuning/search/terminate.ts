/**
 * Early termination of clearly bad runs in a search or grid (NaN/Inf already ends a run in the trainer).
 * From the second epoch on a run is clearly bad when its training loss
 *  - is not below the first epoch's (it is not learning), or
 *  - is still at or above chance, ln C (what a network guessing uniformly scores: dead or diverged), or
 *  - exceeds 3 × ln C (confidently wrong: exploding).
 */
import type { EpochLog } from '../../../shared/dto';

export const EXPLODE_OVER_CHANCE = 3;

export function clearlyBadRule(numClasses: number): (log: EpochLog, all: readonly EpochLog[]) => string | null {
  const chance = Math.log(numClasses);
  return (log, all) => {
    const first = all[0];
    if (!first || log.epoch < 2 || all.length < 2) return null;
    const l = log.loss.toPrecision(4);
    if (!Number.isFinite(log.loss)) return `terminated: training loss is ${log.loss} at epoch ${log.epoch}`;
    if (log.loss > EXPLODE_OVER_CHANCE * chance) return `terminated: training loss ${l} at epoch ${log.epoch} exploded (over ${EXPLODE_OVER_CHANCE} × ln C = ${(EXPLODE_OVER_CHANCE * chance).toPrecision(3)})`;
    if (log.loss >= first.loss) return `terminated: training loss ${l} at epoch ${log.epoch} is not below epoch 1's ${first.loss.toPrecision(4)}`;
    if (log.loss >= chance) return `terminated: training loss ${l} at epoch ${log.epoch} is no better than chance (ln C = ${chance.toPrecision(3)})`;
    return null;
  };
}
