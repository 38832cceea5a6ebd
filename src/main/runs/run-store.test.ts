import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../shared/config';
import type { BatchLog, EpochLog, Evaluation } from '../../shared/dto';
import { buildModel } from '../models';
import { syntheticImages } from '../training/synthetic-data';
import { trainRun } from '../training/trainer';
import { openWorkspace } from '../workspace';
import { appendMetric, createRun, deleteRun, listRuns, loadRunModel, readRun, renameRun, saveEvaluation, saveModel, setRunStatus } from './index';

await tf.setBackend('cpu');

const config = TrainConfigSchema.parse({ datasetId: 'ds1', input: { size: 8, channels: 1 }, model: { kind: 'cnn', blocks: [{ filters: 2 }] }, epochs: 3, batchSize: 8 });
const meta = { datasetName: 'Toys', classes: ['class0', 'class1'], backend: 'cpu', datasetFingerprint: 'sha256:abc' };
const ws = () => openWorkspace(mkdtempSync(path.join(os.tmpdir(), 'runs-')));
const batch = (epoch: number, b: number, loss: number): BatchLog => ({ epoch, batch: b, batchesPerEpoch: 10, loss, accuracy: 0.5, lr: 0.001 });
const epochLog = (epoch: number, loss: number): EpochLog => ({ epoch, loss, accuracy: 0.5, valLoss: loss, valAccuracy: 0.5, lr: 0.001, durationS: 1, imagesPerS: 100, bestEpoch: epoch, patienceLeft: 5 });
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('run store', () => {
  it('createRun writes config.json with every setting, the dataset fingerprint and the backend', async () => {
    const w = ws();
    const run = await createRun(w, config, meta);
    expect(run).toMatchObject({ status: 'queued', datasetId: 'ds1', datasetName: 'Toys', epochs: 3, epochsDone: 0, backend: 'cpu' });
    const saved = JSON.parse(readFileSync(path.join(w.runDir(run.id), 'config.json'), 'utf8'));
    expect(saved).toMatchObject({ datasetFingerprint: 'sha256:abc', backend: 'cpu', classes: ['class0', 'class1'] });
    expect(saved.config).toEqual(config);
    expect((await listRuns(w)).map((r) => r.id)).toEqual([run.id]);
  });

  it('metrics.jsonl survives a torn last line, and a resumed epoch replaces the attempt that was cut short', async () => {
    const w = ws();
    const { id } = await createRun(w, config, meta);
    const dir = w.runDir(id);
    for (let b = 1; b <= 10; b++) appendMetric(dir, { kind: 'batch', ...batch(1, b, 1) });
    appendMetric(dir, { kind: 'epoch', ...epochLog(1, 1) });
    appendMetric(dir, { kind: 'batch', ...batch(2, 1, 9) });
    appendFileSync(path.join(dir, 'metrics.jsonl'), '{"kind":"batch","epoch":2,"bat'); // killed mid-write
    appendFileSync(path.join(dir, 'metrics.jsonl'), '\n');
    for (let b = 1; b <= 10; b++) appendMetric(dir, { kind: 'batch', ...batch(2, b, 0.5) });
    appendMetric(dir, { kind: 'epoch', ...epochLog(2, 0.5) });
    const detail = await readRun(w, id);
    expect(detail.epochLogs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(detail.batchLogs).toHaveLength(20);
    expect(detail.batchLogs.filter((b) => b.epoch === 2).every((b) => b.loss === 0.5)).toBe(true);
    expect(detail.config).toEqual(config);
    expect(detail.classes).toEqual(meta.classes);
  });

  it('batch logs are downsampled to a few thousand points for the chart', async () => {
    const w = ws();
    const { id } = await createRun(w, config, meta);
    for (let b = 1; b <= 10_000; b++) appendMetric(w.runDir(id), { kind: 'batch', ...batch(1, b, b) });
    const detail = await readRun(w, id);
    expect(detail.batchLogs.length).toBeLessThanOrEqual(3000);
    expect(detail.batchLogs.length).toBeGreaterThan(1000);
    expect(detail.batchLogs.at(-1)!.batch).toBe(10_000);
  });

  it('a run left "running" by a process that is gone is listed as failed (interrupted) and resumable', async () => {
    const w = ws();
    const { id } = await createRun(w, config, meta);
    await setRunStatus(w, id, 'running', { pid: deadPid() });
    const [listed] = await listRuns(w);
    expect(listed).toMatchObject({ id, status: 'failed', resumable: true });
    expect(listed!.error!.message).toMatch(/interrupted/);
    // while its process lives, it is running
    await setRunStatus(w, id, 'running');
    expect((await listRuns(w))[0]).toMatchObject({ status: 'running', resumable: false });
  });

  it('a stopped run with a checkpoint can be resumed; a completed one cannot', async () => {
    const w = ws();
    const { id } = await createRun(w, config, meta);
    const ctl = new AbortController();
    await trainRun({
      config,
      train: syntheticImages({ n: 16 }),
      val: null,
      runDir: w.runDir(id),
      signal: ctl.signal,
      hooks: { onBatch: (b) => b.epoch === 2 && ctl.abort(), onEpoch: () => undefined, onLog: () => undefined },
    });
    const stopped = await setRunStatus(w, id, 'stopped');
    expect(stopped).toMatchObject({ status: 'stopped', epochsDone: 1, resumable: true });
    expect(stopped.finishedAt).toBeDefined();
    const done = await setRunStatus(w, id, 'completed');
    expect(done.resumable).toBe(false);
  });

  it('rename, delete, and a clear error for a run that does not exist', async () => {
    const w = ws();
    const { id } = await createRun(w, config, meta);
    expect((await renameRun(w, id, '  lr 1e-3 baseline ')).name).toBe('lr 1e-3 baseline');
    await expect(renameRun(w, id, '  ')).rejects.toThrow(/name/);
    expect(await deleteRun(w, id)).toBe(true);
    expect(existsSync(w.runDir(id))).toBe(false);
    await expect(readRun(w, id)).rejects.toThrow(/does not exist/);
    await expect(readRun(w, '../escape')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('saveModel / loadRunModel round-trip a model with batch norm; evaluations are stored with the test accuracy', async () => {
    const w = ws();
    const { id } = await createRun(w, config, meta);
    await expect(loadRunModel(w, id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const model = await buildModel(config, 2);
    await saveModel(w.runDir(id), model);
    const loaded = await loadRunModel(w, id);
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
    const evaluation: Evaluation = { split: 'test', loss: 0.3, accuracy: 0.875, topK: [], classes: meta.classes, perClass: [], confusion: [], misclassified: [] };
    await saveEvaluation(w.runDir(id), evaluation);
    const detail = await readRun(w, id);
    expect(detail).toMatchObject({ hasModel: true, testAccuracy: 0.875, evaluation: { accuracy: 0.875 } });
  });
});
