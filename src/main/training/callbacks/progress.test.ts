import { describe, expect, it } from 'vitest';
import type { BatchLog, EpochLog } from '../../../shared/dto';
import { batchLog, epochLog, fakeLoop } from './fake-loop';
import { progress } from './progress';

describe('progress callback', () => {
  it('hands each finished batch and epoch to the hooks, unchanged', async () => {
    const batches: BatchLog[] = [];
    const epochs: EpochLog[] = [];
    const cb = progress({ onBatch: (b) => batches.push(b), onEpoch: (e) => epochs.push(e) });
    const loop = fakeLoop();
    loop.batchLog = batchLog({ loss: 0.3 });
    await cb.batchEnd!(loop);
    loop.epochLog = epochLog(1, { bestEpoch: 1 });
    await cb.epochEnd!(loop);
    expect(batches).toEqual([batchLog({ loss: 0.3 })]);
    expect(epochs).toEqual([epochLog(1, { bestEpoch: 1 })]);
  });
});
