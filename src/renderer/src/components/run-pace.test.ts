import { describe, expect, it } from 'vitest';
import { epochLog } from '../testing/fixtures';
import { formatDurationS, runPace } from './run-pace';

describe('ETA and images/s while training', () => {
  it('waits for the first epoch, then estimates the time left from recent epochs and the current one', () => {
    expect(runPace({ epochs: 5, epochsDone: 0, epochLogs: [], batchLogs: [] })).toEqual({ imagesPerS: null, etaS: null });
    const logs = [1, 2].map((e) => ({ ...epochLog(e), durationS: 10, imagesPerS: 480 }));
    // 2 of 5 epochs done, and half of epoch 3: 2.5 epochs of 10 s left
    const pace = runPace({ epochs: 5, epochsDone: 2, epochLogs: logs, batchLogs: [{ epoch: 3, batch: 5, batchesPerEpoch: 10, loss: 1, accuracy: 0.5, lr: 1e-3 }] });
    expect(pace.imagesPerS).toBe(480);
    expect(pace.etaS).toBeCloseTo(25, 9);
    expect(formatDurationS(pace.etaS!)).toBe('25 s');
    expect(formatDurationS(3725)).toBe('1 h 2 min');
    expect(formatDurationS(200)).toBe('3 min 20 s');
  });
});
