import { describe, expect, it } from 'vitest';
import { CancelFit } from './callback';
import { fakeLoop } from './fake-loop';
import { pauseStop } from './pause-stop';

describe('pause-stop callback', () => {
  it('waits at the gate before a batch and leaves the pause out of the training time', async () => {
    const loop = fakeLoop();
    const cb = pauseStop({ pause: { wait: async () => loop.tick(5000) } });
    await cb.batchBegin!(loop);
    expect(loop.pausedMs).toBe(5000);
  });

  it('a stop ends the fit before the next batch, saying which checkpoint is kept', async () => {
    const loop = fakeLoop();
    loop.epoch = 2;
    loop.state = { ...loop.state, epochsDone: 2 };
    const ctl = new AbortController();
    const cb = pauseStop({ signal: ctl.signal });
    await cb.batchBegin!(loop);
    ctl.abort();
    const err = await Promise.resolve(cb.batchBegin!(loop)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelFit);
    expect((err as CancelFit).reason).toBe('stopped');
    expect(loop.logs[0]!.message).toBe('Stopped during epoch 3; the last checkpoint (after epoch 2) is kept and can be resumed.');
  });
});
