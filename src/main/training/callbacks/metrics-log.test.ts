import { describe, expect, it } from 'vitest';
import { readMetrics } from '../../runs/run-files';
import { batchLog, epochLog, fakeLoop } from './fake-loop';
import { metricsLog } from './metrics-log';

describe('metrics-log callback', () => {
  it('appends every batch and epoch to metrics.jsonl, where the run page reads them', async () => {
    const loop = fakeLoop();
    const cb = metricsLog();
    for (const b of [1, 2]) {
      loop.batchLog = batchLog({ batch: b, loss: 1 / b });
      await cb.batchEnd!(loop);
    }
    loop.epochLog = epochLog(1, { loss: 0.75 });
    await cb.epochEnd!(loop);
    const m = readMetrics(loop.runDir);
    expect(m.batches.map((b) => b.loss)).toEqual([1, 0.5]);
    expect(m.epochs).toEqual([epochLog(1, { loss: 0.75 })]);
  });
});
