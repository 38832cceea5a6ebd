import { describe, expect, it } from 'vitest';
import { runPool } from './pool';

describe('runPool', () => {
  it('lets timers and I/O run while tasks finish synchronously', async () => {
    let timerFired = -1;
    let done = 0;
    setTimeout(() => (timerFired = done), 0);
    await runPool(200, 4, async () => {
      const until = performance.now() + 1; // 1 ms of synchronous work per task
      while (performance.now() < until);
      done++;
    });
    expect(done).toBe(200);
    expect(timerFired).toBeGreaterThanOrEqual(0);
    expect(timerFired).toBeLessThan(200);
  });

  it('stops at the first error and when cancelled', async () => {
    let ran = 0;
    await expect(runPool(100, 2, async (i) => {
      ran++;
      if (i === 3) throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(ran).toBeLessThan(10);
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(runPool(10, 2, async () => undefined, ctrl.signal)).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
