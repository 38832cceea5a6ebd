/**
 * Learning rate at (epoch, batch), both 0-based. Linear warm-up ramps per batch from lr/steps to lr over
 * `warmupEpochs`; after it, step / exponential / cosine decay count epochs from the end of the warm-up.
 */
import type { TrainConfig } from '../../shared/config';

export function learningRateAt(config: Pick<TrainConfig, 'optimizer' | 'schedule' | 'epochs'>, epoch: number, batch: number, batchesPerEpoch: number): number {
  const base = config.optimizer.lr;
  const s = config.schedule;
  const progress = epoch + (batch + 1) / Math.max(1, batchesPerEpoch);
  if (s.warmupEpochs > 0 && progress <= s.warmupEpochs) return (base * progress) / s.warmupEpochs;
  const e = Math.max(0, epoch - Math.ceil(s.warmupEpochs));
  switch (s.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * Math.pow(s.gamma, Math.floor(e / s.stepEpochs));
    case 'exponential':
      return base * Math.pow(s.gamma, e);
    case 'cosine': {
      const span = Math.max(1, config.epochs - Math.ceil(s.warmupEpochs) - 1);
      const t = Math.min(1, e / span);
      return base * (s.minFactor + (1 - s.minFactor) * 0.5 * (1 + Math.cos(Math.PI * t)));
    }
  }
}
