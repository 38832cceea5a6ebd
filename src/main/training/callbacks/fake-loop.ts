/** Test helper: a TrainLoop stand-in with just the fields callbacks read and write, plus what they asked for. */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TrainConfig, TrainConfigInput } from '../../../shared/config';
import type { BatchLog, EpochLog } from '../../../shared/dto';
import { parseTrainConfig } from '../train-config';
import type { StopReason, TrainLoop } from '../train-loop';
import { TrainStep } from '../train-step';

export interface FakeLoop extends TrainLoop {
  logs: { level: string; message: string }[];
  stops: { reason: StopReason; message: string | null }[];
  /** Moves the fake clock. */
  tick(ms: number): void;
}

export function tinyModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.dense({ inputShape: [3], units: 2, activation: 'softmax', kernelInitializer: 'ones' }));
  return m;
}

export function fakeLoop(over: Partial<TrainConfigInput> = {}, opts: { hasValidation?: boolean; model?: tf.LayersModel } = {}): FakeLoop {
  const config: TrainConfig = parseTrainConfig({ datasetId: 'd', input: { size: 8, channels: 1 }, model: { kind: 'mlp' }, epochs: 5, ...over });
  const model = opts.model ?? tinyModel();
  let t = 0;
  const loop = {
    config,
    model,
    step: new TrainStep(model, config),
    runDir: mkdtempSync(path.join(os.tmpdir(), 'callback-')),
    now: () => t,
    tick: (ms: number) => void (t += ms),
    batchesPerEpoch: 4,
    callbacks: [],
    state: { epochsDone: 0, bestEpoch: null, bestValue: null, wait: 0, elapsedS: 0 },
    epoch: 0,
    batch: 0,
    lr: config.optimizer.lr,
    batchLog: null as BatchLog | null,
    epochLog: null as EpochLog | null,
    isBest: false,
    pausedMs: 0,
    error: null as unknown,
    hasValidation: opts.hasValidation ?? true,
    logs: [] as FakeLoop['logs'],
    stops: [] as FakeLoop['stops'],
    log(level: string, message: string) {
      loop.logs.push({ level, message });
    },
    requestStop(reason: StopReason, message: string | null = null) {
      loop.stops.push({ reason, message });
    },
    elapsedS: () => t / 1000,
  };
  return loop as unknown as FakeLoop;
}

export function epochLog(epoch: number, over: Partial<EpochLog> = {}): EpochLog {
  return { epoch, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, lr: 0.01, durationS: 1, imagesPerS: 10, bestEpoch: null, patienceLeft: null, ...over };
}

export function batchLog(over: Partial<BatchLog> = {}): BatchLog {
  return { epoch: 1, batch: 1, batchesPerEpoch: 4, loss: 0.5, accuracy: 0.5, lr: 0.01, ...over };
}
