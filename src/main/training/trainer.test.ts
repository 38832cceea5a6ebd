import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainConfigInput } from '../../shared/config';
import type { BatchLog, EpochLog } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import type { BatchAugmenter } from '../augment/batch-augmenter';
import type { ImageArray } from '../datasets/image-array';
import { preprocessingFor } from '../models';
import { readCheckpointState } from './checkpoint';
import { lossAndAccuracy, predictProbabilities } from './evaluate';
import { syntheticImages } from './synthetic-data';
import { parseTrainConfig } from './train-config';
import { trainRun, type TrainRunOptions } from './trainer';

await tf.setBackend('cpu');

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'trainer-'));
const config = (over: Partial<TrainConfigInput> = {}) =>
  parseTrainConfig({
    datasetId: 'd',
    input: { size: 8, channels: 1 },
    model: { kind: 'cnn', blocks: [{ filters: 4 }, { filters: 6, dropout: 0.2 }], headDropout: 0.3 },
    optimizer: { name: 'adam', lr: 0.01 },
    epochs: 4,
    batchSize: 8,
    ...over,
  });
const train = syntheticImages({ n: 40, seed: 1 });
const val = syntheticImages({ n: 16, seed: 2 });

interface Recorded {
  batches: BatchLog[];
  epochs: EpochLog[];
  logs: { level: string; message: string }[];
}
function recorder(): Recorded & { hooks: TrainRunOptions['hooks'] } {
  const r: Recorded = { batches: [], epochs: [], logs: [] };
  return {
    ...r,
    hooks: {
      onBatch: (b) => r.batches.push(b),
      onEpoch: (e) => r.epochs.push(e),
      onLog: (level, message) => r.logs.push({ level, message }),
    },
  };
}

async function valLoss(model: tf.LayersModel, cfg: ReturnType<typeof config>, data: ImageArray): Promise<number> {
  return lossAndAccuracy(await predictProbabilities(model, data, preprocessingFor(cfg)), data.y, data.classes.length).loss;
}

describe('trainRun', () => {
  it('learns a separable toy set and reports every batch and epoch', async () => {
    const rec = recorder();
    const result = await trainRun({ config: config(), train, val, runDir: tmp(), hooks: rec.hooks });
    expect(result).toMatchObject({ reason: 'completed', epochsDone: 4, stoppedEarly: false });
    expect(rec.batches).toHaveLength(4 * 5);
    expect(rec.batches[0]).toMatchObject({ epoch: 1, batch: 1, batchesPerEpoch: 5, lr: 0.01 });
    expect(rec.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(rec.epochs[3]!.loss).toBeLessThan(rec.epochs[0]!.loss);
    expect(rec.epochs[3]!.valAccuracy).toBeGreaterThan(0.9);
  });

  it('same seed → identical loss curve; another seed → a different one', async () => {
    const run = async (seed: number) => {
      const rec = recorder();
      await trainRun({ config: config({ seed, epochs: 2 }), train, val, runDir: tmp(), hooks: rec.hooks });
      return rec.batches.map((b) => b.loss);
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('early stopping stops after `patience` epochs without improvement and restores the best weights', async () => {
    // validation labels are the opposite of the training ones: val loss rises as training succeeds
    const flipped: ImageArray = { ...val, y: val.y.map((c) => 1 - c) };
    const cfg = config({ epochs: 12, earlyStopping: { enabled: true, monitor: 'val_loss', patience: 2, minDelta: 0, restoreBest: true } });
    const rec = recorder();
    const result = await trainRun({ config: cfg, train, val: flipped, runDir: tmp(), hooks: rec.hooks });
    expect(result.reason).toBe('early-stopped');
    expect(result.stoppedEarly).toBe(true);
    const best = result.bestEpoch!;
    expect(result.epochsDone).toBe(best + 2);
    expect(rec.epochs.at(-1)!.patienceLeft).toBe(0);
    expect(rec.epochs.at(-1)!.bestEpoch).toBe(best);
    const bestLog = rec.epochs.find((e) => e.epoch === best)!;
    expect(Math.min(...rec.epochs.map((e) => e.valLoss!))).toBe(bestLog.valLoss);
    // the returned model is the best epoch's, not the last one's
    expect(await valLoss(result.model, cfg, flipped)).toBeCloseTo(bestLog.valLoss!, 4);
    expect(await valLoss(result.model, cfg, flipped)).toBeLessThan(rec.epochs.at(-1)!.valLoss!);
    expect(rec.logs.some((l) => /Restored the weights of the best epoch/.test(l.message))).toBe(true);
  });

  it('without restoreBest the last weights are kept', async () => {
    const flipped: ImageArray = { ...val, y: val.y.map((c) => 1 - c) };
    const cfg = config({ epochs: 12, earlyStopping: { enabled: true, monitor: 'val_loss', patience: 2, minDelta: 0, restoreBest: false } });
    const rec = recorder();
    const result = await trainRun({ config: cfg, train, val: flipped, runDir: tmp(), hooks: rec.hooks });
    expect(await valLoss(result.model, cfg, flipped)).toBeCloseTo(rec.epochs.at(-1)!.valLoss!, 4);
  });

  it('NaN guard: a learning rate far too large stops at once with the document\'s diagnosis', async () => {
    const cfg = config({
      // a deep linear net: the gradient of each layer scales with the others, so a huge step compounds until it overflows
      model: { kind: 'mlp', hidden: [1, 2, 3].map(() => ({ units: 16, activation: 'linear' as const, dropout: 0 })) },
      optimizer: { name: 'sgd', lr: 10 },
      epochs: 5,
    });
    const rec = recorder();
    const err = await trainRun({ config: cfg, train, val, runDir: tmp(), hooks: rec.hooks }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('NAN_LOSS');
    expect((err as LabError).message).toMatch(/^loss became NaN at epoch \d+ batch \d+: learning rate likely too large or inputs out of range$/);
    const { epoch, batch } = (err as LabError).details as { epoch: number; batch: number };
    // every batch before the bad one was reported, nothing after it
    expect(rec.batches).toHaveLength((epoch - 1) * 5 + (batch - 1));
    expect(rec.epochs).toHaveLength(epoch - 1);
  });

  it('NaN guard: a poisoned input batch stops at epoch 1 batch 1', async () => {
    const poison: BatchAugmenter = { apply: (x, y) => ({ x: tf.mul(x, NaN) as tf.Tensor4D, y: tf.clone(y) }) };
    const rec = recorder();
    await expect(trainRun({ config: config(), train, val, runDir: tmp(), hooks: rec.hooks, augmenter: poison })).rejects.toThrow(
      'loss became NaN at epoch 1 batch 1: learning rate likely too large or inputs out of range',
    );
    expect(rec.batches).toHaveLength(0);
  });

  it('the augmenter gets every batch in [0,1] with its epoch and image ids', async () => {
    const seen: { epoch: number; ids: number[]; min: number; max: number }[] = [];
    const spy: BatchAugmenter = {
      apply: (x, y, ctx) => {
        seen.push({ epoch: ctx.epoch, ids: Array.from(ctx.imageIds), min: x.min().dataSync()[0]!, max: x.max().dataSync()[0]! });
        return { x: tf.clone(x), y: tf.clone(y) };
      },
    };
    await trainRun({ config: config({ epochs: 2 }), train, val: null, runDir: tmp(), hooks: recorder().hooks, augmenter: spy });
    expect(seen).toHaveLength(10);
    expect(seen[0]!.epoch).toBe(0);
    expect(seen[9]!.epoch).toBe(1);
    expect(new Set(seen.slice(0, 5).flatMap((s) => s.ids)).size).toBe(40);
    expect(Math.min(...seen.map((s) => s.min))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...seen.map((s) => s.max))).toBeLessThanOrEqual(1);
  });

  it('kill and resume: the resumed run loses only the epoch in flight and retraces the uninterrupted curve', async () => {
    const cfg = config({ epochs: 4, earlyStopping: { enabled: true, monitor: 'val_loss', patience: 10, minDelta: 0, restoreBest: false } });
    const whole = recorder();
    await trainRun({ config: cfg, train, val, runDir: tmp(), hooks: whole.hooks });

    const runDir = tmp();
    const ctl = new AbortController();
    const first = recorder();
    const hooks = { ...first.hooks, onBatch: (b: BatchLog) => {
      first.hooks.onBatch(b);
      if (b.epoch === 3 && b.batch === 2) ctl.abort(); // "killed" in the middle of epoch 3
    } };
    const stopped = await trainRun({ config: cfg, train, val, runDir, hooks, signal: ctl.signal });
    expect(stopped).toMatchObject({ reason: 'stopped', epochsDone: 2 });
    expect((await readCheckpointState(runDir))!.epochsDone).toBe(2);

    const second = recorder();
    const resumed = await trainRun({ config: cfg, train, val, runDir, hooks: second.hooks, resume: true });
    expect(resumed).toMatchObject({ reason: 'completed', epochsDone: 4 });
    expect(second.epochs.map((e) => e.epoch)).toEqual([3, 4]);
    const curve = [...first.epochs, ...second.epochs].map((e) => [e.loss, e.valLoss]);
    const expected = whole.epochs.map((e) => [e.loss, e.valLoss]);
    curve.flat().forEach((v, i) => expect(v).toBeCloseTo(expected.flat()[i]!, 5));
  });

  it('resume without a checkpoint starts from epoch 1', async () => {
    const rec = recorder();
    const result = await trainRun({ config: config({ epochs: 1 }), train, val, runDir: tmp(), hooks: rec.hooks, resume: true });
    expect(result.epochsDone).toBe(1);
    expect(rec.logs.some((l) => /No checkpoint to resume from/.test(l.message))).toBe(true);
  });

  it('writes the best and last checkpoints', async () => {
    const runDir = tmp();
    await trainRun({ config: config({ epochs: 2 }), train, val, runDir, hooks: recorder().hooks });
    expect(existsSync(path.join(runDir, 'checkpoints', 'last', 'model', 'model.json'))).toBe(true);
    expect(existsSync(path.join(runDir, 'checkpoints', 'last', 'optimizer.json'))).toBe(true);
    expect(existsSync(path.join(runDir, 'checkpoints', 'best', 'model', 'weights.bin'))).toBe(true);
  });

  it('time budget: stops after the epoch in which the budget ran out', async () => {
    let t = 0;
    const rec = recorder();
    const hooks = { ...rec.hooks, onBatch: (b: BatchLog) => {
      rec.hooks.onBatch(b);
      t += 10_000; // each batch "takes" 10 s
    } };
    const result = await trainRun({ config: config({ epochs: 10, timeBudgetS: 60 }), train, val, runDir: tmp(), hooks, now: () => t });
    expect(result).toMatchObject({ reason: 'time-budget', epochsDone: 2 }); // 50 s after epoch 1, 100 s after epoch 2
    expect(rec.logs.some((l) => /Time budget of 60 s reached after epoch 2/.test(l.message))).toBe(true);
  });

  it('pause holds training between batches until resumed; stop while paused ends the run', async () => {
    let release: () => void = () => undefined;
    let paused = true;
    const gate = { wait: () => (paused ? new Promise<void>((r) => (release = r)) : Promise.resolve()) };
    const rec = recorder();
    const ctl = new AbortController();
    const running = trainRun({ config: config({ epochs: 2 }), train, val, runDir: tmp(), hooks: rec.hooks, pause: gate, signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 50));
    expect(rec.batches).toHaveLength(0);
    ctl.abort();
    paused = false;
    release();
    const result = await running;
    expect(result.reason).toBe('stopped');
    expect(rec.batches).toHaveLength(0);
  });

  it('warns when batch norm meets batch size 1', async () => {
    const rec = recorder();
    await trainRun({ config: config({ epochs: 1, batchSize: 1 }), train: syntheticImages({ n: 4 }), val: null, runDir: tmp(), hooks: rec.hooks });
    expect(rec.logs.some((l) => l.level === 'warn' && /Batch size 1 with batch normalization/.test(l.message))).toBe(true);
  });

  it('refuses data whose size does not match the config, naming both', async () => {
    await expect(trainRun({ config: config({ input: { size: 16, channels: 1 } }), train, val, runDir: tmp(), hooks: recorder().hooks })).rejects.toThrow(/8×8×1 but input is 16×16×1/);
  });
});
