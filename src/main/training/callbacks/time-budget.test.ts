import { describe, expect, it } from 'vitest';
import { fakeLoop } from './fake-loop';
import { timeBudget } from './time-budget';

describe('time-budget callback', () => {
  it('asks to stop after the epoch in which the budget ran out, not before', async () => {
    const loop = fakeLoop({ timeBudgetS: 60 });
    const cb = timeBudget();
    loop.state = { ...loop.state, elapsedS: 59.9 };
    await cb.epochEnd!(loop);
    expect(loop.stops).toEqual([]);
    loop.epoch = 1;
    loop.state = { ...loop.state, elapsedS: 60 };
    await cb.epochEnd!(loop);
    expect(loop.stops).toEqual([{ reason: 'time-budget', message: 'Time budget of 60 s reached after epoch 2.' }]);
  });

  it('does nothing without a budget', async () => {
    const loop = fakeLoop({ timeBudgetS: null });
    loop.state = { ...loop.state, elapsedS: 1e9 };
    await timeBudget().epochEnd!(loop);
    expect(loop.stops).toEqual([]);
  });
});
