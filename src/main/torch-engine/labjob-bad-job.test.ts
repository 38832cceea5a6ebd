/**
 * A job labjob cannot run is refused with exit code 2 and a message that says what is wrong and what to do, on
 * stderr and as a LAB log line with a message code, never with a traceback: a layer torch cannot express, a batch
 * size the ranks cannot share, a missing data shard.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildModel } from '../models';
import { parseTrainConfig } from '../training/train-config';
import { hasTorch, labLines, randomImages, runLabjob, writeJobFolder } from './test-support/labjob-fixture';

await tf.setBackend('cpu');

const root = mkdtempSync(path.join(tmpdir(), 'labjob-bad-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = parseTrainConfig({ datasetId: 'bad', input: { size: 8, channels: 1, fit: 'squash' }, model: { kind: 'mlp', hidden: [{ units: 4 }] }, epochs: 1, batchSize: 15 });

function refused(dir: string, env: Record<string, string> = {}) {
  const r = runLabjob(dir, ['run', '--job', dir, '--fresh'], env);
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/Traceback/);
  const error = labLines(r.stdout).find((l) => l.kind === 'log' && l.level === 'error');
  expect(error).toBeTruthy();
  expect(r.stderr).toContain(error!.text as string);
  return error!;
}

describe.skipIf(!hasTorch())('labjob refuses a job it cannot run (exit 2, a clear message)', () => {
  it('a layer torch cannot express is named by its class', async () => {
    const inp = tf.input({ shape: [8, 8, 1], name: 'image' });
    let x = tf.layers.flatten({ name: 'flatten' }).apply(inp) as tf.SymbolicTensor;
    x = tf.layers.layerNormalization({ name: 'norm' }).apply(x) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'predictions' }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: inp, outputs: out });
    const dir = await writeJobFolder(path.join(root, 'layer'), { config, classes: ['a', 'b', 'c'], model, train: randomImages(30, 8, 1, 3, 1) });
    const e = refused(dir);
    expect(e.code).toBe('torchJob.unknownLayer');
    expect(e.params).toMatchObject({ className: 'LayerNormalization', layer: 'norm' });
    expect(e.text).toContain('LayerNormalization');
  });

  it('a batch size the ranks cannot share says which sizes would work', async () => {
    const dir = await writeJobFolder(path.join(root, 'batch'), { config, classes: ['a', 'b', 'c'], model: await buildModel(config, 3), train: randomImages(30, 8, 1, 3, 1) });
    // Refused before any rank waits for the others: one process is enough to see it.
    const e = refused(dir, { RANK: '0', WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: '1' });
    expect(e.code).toBe('torchJob.batchNotDivisible');
    expect(e.params).toEqual({ batchSize: 15, worldSize: 2 });
    expect(e.text).toMatch(/divisible by 2/);
  });

  it('a missing data shard is named, with what to do', async () => {
    const dir = await writeJobFolder(path.join(root, 'shard'), { config, classes: ['a', 'b', 'c'], model: await buildModel(config, 3), train: randomImages(30, 8, 1, 3, 1) });
    rmSync(path.join(dir, 'data', 'train-x.u8'));
    const e = refused(dir);
    expect(e.code).toBe('torchJob.missingShard');
    expect(e.text).toContain('data/train-x.u8');
    expect(e.text).toMatch(/write the job again/i);
  });
});
