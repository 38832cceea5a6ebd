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
    const cb = checkpoints();
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
});
