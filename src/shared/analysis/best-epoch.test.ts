import { describe, expect, it } from 'vitest';
import type { EpochLog } from '../dto';
import { bestNumbers, runBestNumbers } from './best-epoch';

const log = (epoch: number, valLoss: number, valAccuracy: number, bestEpoch: number): EpochLog => ({
  epoch, loss: 1, accuracy: 0.9, valLoss, valAccuracy, lr: 1e-3, durationS: 1, imagesPerS: 100, bestEpoch, patienceLeft: null,
});

// The 5-epoch run: lowest val. loss at epoch 3 (75.4 %), highest val. accuracy at epoch 5 (78.0 %).
const logs = [log(1, 0.9, 0.6, 1), log(2, 0.7, 0.7, 2), log(3, 0.62, 0.754, 3), log(4, 0.64, 0.77, 3), log(5, 0.66, 0.78, 3)];

describe('one definition of the best epoch', () => {
  it('is the monitor\'s best epoch with that epoch\'s numbers, not the maximum accuracy', () => {
    expect(bestNumbers(logs)).toEqual({ bestEpoch: 3, bestValAccuracy: 0.754, bestValLoss: 0.62 });
  });

  it('gives what the engine stored when it stored it, and the same from the logs when it did not', () => {
    const stored = { bestEpoch: 3, bestValAccuracy: 0.754, bestValLoss: 0.62, epochLogs: logs };
    const old = { bestEpoch: 3, bestValAccuracy: null, bestValLoss: null, epochLogs: logs };
    expect(runBestNumbers(stored)).toEqual(runBestNumbers(old));
  });

  it('is empty before the first epoch', () => {
    expect(bestNumbers([])).toEqual({ bestEpoch: null, bestValAccuracy: null, bestValLoss: null });
  });
});
