import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CancelBatch, CancelEpoch, CancelFit, TRAIN_EVENTS, type Callback, type TrainEvent } from './callbacks/callback';
import { syntheticImages } from './synthetic-data';
import { parseTrainConfig } from './train-config';
import { trainRun } from './trainer';
import type { TrainLoop } from './train-loop';

await tf.setBackend('cpu');

const config = parseTrainConfig({ datasetId: 'd', input: { size: 8, channels: 1 }, model: { kind: 'mlp', hidden: [{ units: 4, dropout: 0 }] }, epochs: 2, batchSize: 8, earlyStopping: { enabled: false } });
const train = syntheticImages({ n: 16, seed: 1 }); // 2 batches per epoch

/** A callback that records every event as "event e.b" and may throw at one of them. */
function tracer(order: number, trace: string[], throwAt?: { event: TrainEvent; epoch: number; batch?: number; error: Error }): Callback {
  const cb: Callback = { name: `tracer-${order}`, order };
  for (const event of TRAIN_EVENTS) {
    (cb as Record<TrainEvent, (l: TrainLoop) => void>)[event] = (loop) => {
      trace.push(`${event} ${loop.epoch + 1}.${loop.batch + 1}`);
      if (throwAt && throwAt.event === event && throwAt.epoch === loop.epoch + 1 && (throwAt.batch === undefined || throwAt.batch === loop.batch + 1)) throw throwAt.error;
    };
  }
  return cb;
}

async function fit(callbacks: Callback[]) {
  const batches: string[] = [];
  const epochs: number[] = [];
  const result = await trainRun({
    config,
    train,
    val: null,
    runDir: mkdtempSync(path.join(os.tmpdir(), 'loop-')),
    hooks: { onBatch: (b) => batches.push(`${b.epoch}.${b.batch}`), onEpoch: (e) => epochs.push(e.epoch), onLog: () => undefined },
    callbacks,
  });
  return { result, batches, epochs };
}

describe('TrainLoop events and cancels', () => {
  it('fires fit/epoch/batch begin and end in order; callbacks run by ascending order, ties as given', async () => {
    const trace: string[] = [];
    const named = (name: string, order: number): Callback => ({ name, order, fitBegin: () => void trace.push(name) });
    await fit([named('c', 5), named('a', -1), named('b', 5)]);
    expect(trace).toEqual(['a', 'c', 'b']);
    const events: string[] = [];
    await fit([tracer(0, events)]);
    expect(events).toEqual([
      'fitBegin 1.1',
      'epochBegin 1.1', 'batchBegin 1.1', 'batchEnd 1.1', 'batchBegin 1.2', 'batchEnd 1.2', 'epochEnd 1.3',
      'epochBegin 2.1', 'batchBegin 2.1', 'batchEnd 2.1', 'batchBegin 2.2', 'batchEnd 2.2', 'epochEnd 2.3',
      'fitEnd 3.3',
    ]);
  });

  it('CancelBatch skips that batch\'s step and reports; the epoch goes on', async () => {
    const trace: string[] = [];
    const { batches, result } = await fit([tracer(0, trace, { event: 'batchBegin', epoch: 1, batch: 1, error: new CancelBatch() })]);
    expect(batches).toEqual(['1.2', '2.1', '2.2']);
    expect(result.reason).toBe('completed');
  });

  it('CancelEpoch skips the rest of the epoch and its end (not reported, not checkpointed); the next one runs', async () => {
    const trace: string[] = [];
    const { batches, epochs, result } = await fit([tracer(0, trace, { event: 'batchEnd', epoch: 1, batch: 1, error: new CancelEpoch() })]);
    expect(batches).toEqual(['2.1', '2.2']); // the tracer runs before the progress callback
    expect(epochs).toEqual([2]);
    expect(trace).not.toContain('epochEnd 1.3');
    expect(result.epochsDone).toBe(2);
  });

  it('CancelFit ends the fit at once with its reason, and fitEnd still runs', async () => {
    const trace: string[] = [];
    const { result, epochs } = await fit([tracer(0, trace, { event: 'epochBegin', epoch: 2, error: new CancelFit('time-budget') })]);
    expect(result).toMatchObject({ reason: 'time-budget', epochsDone: 1 });
    expect(epochs).toEqual([1]);
    expect(trace.at(-1)).toBe('fitEnd 2.1');
  });

  it('requestStop ends the fit after the epoch; the first request wins', async () => {
    const stopper: Callback = { name: 'stopper', order: 0, epochEnd: (loop) => { loop.requestStop('early-stopped', 'first'); loop.requestStop('time-budget', 'second'); } };
    const { result, epochs } = await fit([stopper]);
    expect(result.reason).toBe('early-stopped');
    expect(epochs).toEqual([1]);
  });

  it('an error that is not a cancel fails the fit, and fitEnd sees it', async () => {
    let seen: unknown = null;
    const boom = new Error('boom');
    const cbs: Callback[] = [
      { name: 'thrower', order: 0, batchEnd: () => { throw boom; } },
      { name: 'watcher', order: 1, fitEnd: (loop) => void (seen = loop.error) },
    ];
    await expect(fit(cbs)).rejects.toBe(boom);
    expect(seen).toBe(boom);
  });
});

describe('TrainLoop epoch timing', () => {
  it('the epoch lasts its batches plus its validation, while its images/s counts the batches only', async () => {
    let clockMs = 0;
    const val = syntheticImages({ n: 8, seed: 2 });
    const logs: { durationS: number; imagesPerS: number }[] = [];
    await trainRun({
      config,
      train,
      val,
      runDir: mkdtempSync(path.join(os.tmpdir(), 'loop-')),
      hooks: { onBatch: () => undefined, onEpoch: (e) => logs.push(e), onLog: () => undefined },
      // Each batch takes 1 s on this clock, each validation pass 10 s.
      callbacks: [{ name: 'clock', order: 0, batchEnd: () => void (clockMs += 1000) }],
      validate: async () => {
        clockMs += 10_000;
        return { loss: 1, accuracy: 0.5 };
      },
      now: () => clockMs,
    });
    expect(logs).toHaveLength(2);
    for (const e of logs) {
      expect(e.durationS).toBeCloseTo(12); // 2 batches + validation
      expect(e.imagesPerS).toBeCloseTo(16 / 2); // 16 images in 2 s of batches
    }
  });
});
