import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCheckpoint, readCheckpointState } from '../checkpoint';
import { checkpoints } from './checkpoints';
import { epochLog, fakeLoop } from './fake-loop';

await tf.setBackend('cpu');

describe('checkpoints callback', () => {
  it('writes last after every epoch and best only when the epoch is the best', async () => {
    const loop = fakeLoop();
    const cb = checkpoints({ everyS: 0 });
    loop.isBest = true;
    loop.epochLog = epochLog(1);
    loop.state = { epochsDone: 1, bestEpoch: 1, bestValue: 0.9, wait: 0, elapsedS: 3 };
    await cb.epochEnd!(loop);
    expect(await readCheckpointState(loop.runDir, 'best')).toMatchObject({ epochsDone: 1 });
    loop.isBest = false;
    loop.model.setWeights(loop.model.getWeights().map((w) => tf.fill(w.shape, 5)));
    loop.epochLog = epochLog(2);
    loop.state = { epochsDone: 2, bestEpoch: 1, bestValue: 0.9, wait: 1, elapsedS: 6 };
    await cb.epochEnd!(loop);
    expect(await readCheckpointState(loop.runDir, 'last')).toMatchObject({ epochsDone: 2, wait: 1, elapsedS: 6 });
    expect(await readCheckpointState(loop.runDir, 'best')).toMatchObject({ epochsDone: 1 });
    expect(existsSync(path.join(loop.runDir, 'checkpoints', 'last', 'optimizer.json'))).toBe(true);
    const last = await loadCheckpoint(loop.runDir, 'last');
    expect(last!.model.getWeights()[0]!.dataSync()[0]).toBe(5);
  });

  it('on short epochs writes at most every everyS seconds, keeps the finished epochs in memory and writes them when the fit ends', async () => {
    const loop = fakeLoop({ epochs: 10 });
    const cb = checkpoints({ everyS: 10 });
    const setAll = (v: number) => loop.model.setWeights(loop.model.getWeights().map((w) => tf.fill(w.shape, v)));
    await cb.fitBegin!(loop);
    const end = async (epoch: number, isBest: boolean, weight: number) => {
      setAll(weight);
      loop.tick(2000);
      loop.epoch = epoch - 1;
      loop.isBest = isBest;
      loop.epochLog = epochLog(epoch);
      loop.state = { epochsDone: epoch, bestEpoch: isBest ? epoch : loop.state.bestEpoch, bestValue: 0.5, wait: 0, elapsedS: epoch * 2 };
      await cb.epochEnd!(loop);
    };
    await end(1, true, 1);
    await end(2, false, 2);
    // 4 s of training: nothing on disk yet (a kill now loses those 4 s).
    expect(await readCheckpointState(loop.runDir, 'last')).toBeNull();
    await end(3, true, 3);
    await end(4, false, 4);
    await end(5, false, 5); // 10 s since the fit began: written now
    expect(await readCheckpointState(loop.runDir, 'last')).toMatchObject({ epochsDone: 5 });
    expect(await readCheckpointState(loop.runDir, 'best')).toMatchObject({ epochsDone: 3 });
    expect((await loadCheckpoint(loop.runDir, 'best'))!.model.getWeights()[0]!.dataSync()[0]).toBe(3);
    expect((await loadCheckpoint(loop.runDir, 'last'))!.model.getWeights()[0]!.dataSync()[0]).toBe(5);
    await end(6, true, 6);
    await end(7, false, 7);
    expect(await readCheckpointState(loop.runDir, 'last')).toMatchObject({ epochsDone: 5 });
    // The fit ends (e.g. stopped) and early stopping has put other weights in the model: the files get epoch 7's and 6's.
    setAll(-1);
    await cb.fitEnd!(loop);
    const last = (await loadCheckpoint(loop.runDir, 'last'))!;
    expect(last.state).toMatchObject({ epochsDone: 7 });
    expect(last.model.getWeights()[0]!.dataSync()[0]).toBe(7);
    expect(last.optimizer).not.toBeNull();
    const best = (await loadCheckpoint(loop.runDir, 'best'))!;
    expect(best.state).toMatchObject({ epochsDone: 6 });
    expect(best.model.getWeights()[0]!.dataSync()[0]).toBe(6);
    // The model keeps the weights it had.
    expect(loop.model.getWeights()[0]!.dataSync()[0]).toBe(-1);
  });

  it('always writes after the last epoch', async () => {
    const loop = fakeLoop({ epochs: 2 });
    const cb = checkpoints({ everyS: 1000 });
    await cb.fitBegin!(loop);
    for (const epoch of [1, 2]) {
      loop.epoch = epoch - 1;
      loop.isBest = epoch === 1;
      loop.epochLog = epochLog(epoch);
      loop.state = { epochsDone: epoch, bestEpoch: 1, bestValue: 0.5, wait: epoch - 1, elapsedS: epoch };
      await cb.epochEnd!(loop);
    }
    expect(await readCheckpointState(loop.runDir, 'last')).toMatchObject({ epochsDone: 2 });
    expect(await readCheckpointState(loop.runDir, 'best')).toMatchObject({ epochsDone: 1 });
  });
});
