import { describe, expect, it } from 'vitest';
import { fakeLoop } from './fake-loop';
import { lrSchedule } from './lr-schedule';

describe('lr-schedule callback', () => {
  it('sets each batch\'s rate: a linear warm-up over the first epoch, then the step decay', async () => {
    const loop = fakeLoop({ optimizer: { name: 'sgd', lr: 0.1 }, schedule: { kind: 'step', warmupEpochs: 1, stepEpochs: 1, gamma: 0.5 } });
    const cb = lrSchedule();
    const seen: number[] = [];
    for (const [epoch, batch] of [[0, 0], [0, 1], [0, 3], [1, 0], [2, 0]] as const) {
      loop.epoch = epoch;
      loop.batch = batch;
      await cb.batchBegin!(loop);
      seen.push(loop.lr);
    }
    expect(seen[0]).toBeCloseTo(0.025);
    expect(seen[1]).toBeCloseTo(0.05);
    expect(seen[2]).toBeCloseTo(0.1);
    expect(seen[3]).toBeCloseTo(0.1);
    expect(seen[4]).toBeCloseTo(0.05);
  });
});
