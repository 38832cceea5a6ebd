import { describe, expect, it } from 'vitest';
import { epochLog, fakeLoop } from './fake-loop';
import { stopWhen } from './stop-when';

describe('stop-when callback', () => {
  it('the first rule that fires stops the fit after its epoch and says which rule and why', async () => {
    const fired: [number, string][] = [];
    const cb = stopWhen(
      [(e) => (e.accuracy >= 1 ? 'fitted' : null), (_e, all) => (all.length >= 3 ? 'too slow' : null)],
      (rule, note) => fired.push([rule, note]),
    );
    const loop = fakeLoop();
    for (const [i, acc] of [0.5, 0.8, 0.9, 1].entries()) {
      loop.epochLog = epochLog(i + 1, { accuracy: acc });
      await cb.epochEnd!(loop);
    }
    expect(fired).toEqual([[1, 'too slow']]);
    expect(loop.stops).toEqual([{ reason: 'stopped', message: null }]);
  });
});
