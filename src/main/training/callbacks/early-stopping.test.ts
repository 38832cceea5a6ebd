import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { earlyStopping } from './early-stopping';
import { epochLog, fakeLoop } from './fake-loop';

await tf.setBackend('cpu');

const fill = (model: tf.LayersModel, v: number) => model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, v)));
const firstWeight = (model: tf.LayersModel) => model.getWeights()[0]!.dataSync()[0];

describe('early-stopping callback', () => {
  it('marks the best epoch, asks to stop when patience runs out, and puts the best weights back', async () => {
    const loop = fakeLoop({ earlyStopping: { enabled: true, patience: 2, monitor: 'val_loss', restoreBest: true, minDelta: 0 } });
    const cb = earlyStopping({ resumed: false });
    await cb.fitBegin!(loop);
    for (const [i, valLoss] of [1, 0.8, 0.9, 0.95].entries()) {
      fill(loop.model, i + 1);
      loop.epoch = i;
      loop.epochLog = epochLog(i + 1, { valLoss });
      loop.state = { ...loop.state, epochsDone: i + 1 };
      await cb.epochEnd!(loop);
      expect(loop.isBest).toBe(i <= 1);
    }
    expect(loop.epochLog!.bestEpoch).toBe(2);
    expect(loop.epochLog!.patienceLeft).toBe(0);
    expect(loop.state).toMatchObject({ bestEpoch: 2, bestValue: 0.8, wait: 2 });
    expect(loop.stops).toEqual([{ reason: 'early-stopped', message: 'Early stopping: val_loss has not improved for 2 epoch(s); best epoch 2.' }]);
    await cb.fitEnd!(loop);
    expect(firstWeight(loop.model)).toBe(2);
    expect(loop.logs.at(-1)!.message).toBe('Restored the weights of the best epoch (2, val_loss 0.8000).');
  });

  it('after a failed fit the weights are left alone', async () => {
    const loop = fakeLoop({ earlyStopping: { enabled: true, patience: 1, restoreBest: true } });
    const cb = earlyStopping({ resumed: false });
    await cb.fitBegin!(loop);
    fill(loop.model, 1);
    loop.epochLog = epochLog(1, { valLoss: 0.5 });
    await cb.epochEnd!(loop);
    fill(loop.model, 7);
    loop.error = new Error('boom');
    await cb.fitEnd!(loop);
    expect(firstWeight(loop.model)).toBe(7);
  });

  it('without validation images it warns and never stops', async () => {
    const loop = fakeLoop({ earlyStopping: { enabled: true, patience: 1 } }, { hasValidation: false });
    const cb = earlyStopping({ resumed: false });
    await cb.fitBegin!(loop);
    expect(loop.logs[0]).toMatchObject({ level: 'warn', message: expect.stringMatching(/No validation images: early stopping is off/) });
    for (const e of [1, 2, 3]) {
      loop.epochLog = epochLog(e, { loss: e });
      await cb.epochEnd!(loop);
    }
    expect(loop.stops).toEqual([]);
    expect(loop.epochLog!.bestEpoch).toBe(1); // judged on the training loss
  });
});
