import { describe, expect, it } from 'vitest';
import { LabError } from '../../../shared/errors';
import { batchLog, fakeLoop } from './fake-loop';
import { nanGuard } from './nan-guard';

describe('nan-guard callback', () => {
  it('lets a finite loss through', async () => {
    const loop = fakeLoop();
    loop.batchLog = batchLog({ loss: 2.3 });
    await nanGuard().batchEnd!(loop);
    expect(loop.logs).toEqual([]);
  });

  it.each([
    [NaN, 'NaN'],
    [Infinity, 'Inf'],
  ])('a loss of %s fails the run naming epoch, batch and learning rate', async (loss, what) => {
    const loop = fakeLoop();
    loop.epoch = 1;
    loop.batch = 2;
    loop.lr = 5;
    loop.batchLog = batchLog({ loss });
    const err = await Promise.resolve()
      .then(() => nanGuard().batchEnd!(loop))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({ code: 'NAN_LOSS', details: { epoch: 2, batch: 3, lr: 5 } });
    expect((err as Error).message).toMatch(new RegExp(`loss became ${what} at epoch 2 batch 3: learning rate likely too large`));
    expect(loop.logs[0]!.level).toBe('error');
  });
});
