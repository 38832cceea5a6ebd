import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { TrainConfigSchema } from '../../../shared/config';
import { PredictRequestSchema, ExportRequestSchema } from '../../../shared/contract';
import type { LabEvent } from '../../../shared/events';
import { colourModel } from '../../export/test-support/tiny-models';
import { createRun, saveModel } from '../../runs';
import { openWorkspace } from '../../workspace';
import { importDataset } from '../../datasets';
import { loadSplit } from '../../datasets/pixel-cache';
import { distinct, put } from '../../datasets/test-fixtures';
import { resetReads } from '../../datasets/test-support/read-counter';
import { calibrationData, evaluationData, exportHandlers } from './export';

// What is read from the decoded cache: images per call of the batch reader, and whole-split loads.
const reads = vi.hoisted(() => ({ rowsPerRead: [] as number[], wholeLoads: 0 }));
vi.mock('../../datasets/split-on-disk', async (orig) => (await import('../../datasets/test-support/read-counter')).countingReader(await orig(), reads));
vi.mock('../../datasets/pixel-cache', async (orig) => (await import('../../datasets/test-support/read-counter')).countingLoader(await orig(), reads));

describe('export handlers', () => {
  it("runs.export writes under <runDir>/export/<format>; models.predict takes a run id or an export folder", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-handlers-'));
    const ws = openWorkspace(path.join(root, 'home'));
    const config = TrainConfigSchema.parse({ datasetId: 'colours', name: 'colour run', input: { size: 8, channels: 3, fit: 'squash' } });
    const run = await createRun(ws, config, { datasetName: 'colours', classes: ['red', 'green', 'blue'], backend: 'cpu', datasetFingerprint: 'x' });
    await saveModel(ws.runDir(run.id), colourModel());
    const h = exportHandlers({ ws, emit: () => {}, shell: 'cli', version: 'test' });

    const tfjs = await h['runs.export'](ExportRequestSchema.parse({ runId: run.id, format: 'tfjs' }));
    expect(tfjs.dir).toBe(path.join(ws.runDir(run.id), 'export', 'tfjs'));
    expect(tfjs.verified?.sameTop1).toBe(true);
    const onnx = await h['runs.export'](ExportRequestSchema.parse({ runId: run.id, format: 'onnx', quantize: 'uint8' }));
    expect(existsSync(path.join(onnx.dir, 'model.onnx'))).toBe(true);
    expect(onnx.quantization?.mode).toBe('uint8');
    // The run's dataset is not in this workspace: the export still succeeds and says why accuracy is missing.
    expect(onnx.notes?.join(' ')).toMatch(/accuracy was not measured/);

    const image = path.join(root, 'blue.png');
    await sharp({ create: { width: 9, height: 9, channels: 3, background: { r: 0, g: 30, b: 220 } } }).png().toFile(image);
    const byRun = await h['models.predict'](PredictRequestSchema.parse({ model: run.id, paths: [image], topK: 1 }));
    const byExport = await h['models.predict'](PredictRequestSchema.parse({ model: tfjs.dir, paths: [image], topK: 1 }));
    expect(byRun[0].top[0].label).toBe('blue');
    expect(byExport[0].top[0]).toEqual(byRun[0].top[0]);

    await expect(h['models.predict'](PredictRequestSchema.parse({ model: 'no-such-run', paths: [image] }))).rejects.toThrow(/neither a run id nor an export folder/);
    await expect(h['runs.export'](ExportRequestSchema.parse({ runId: 'no-such-run', format: 'tfjs' }))).rejects.toThrow();
  });

  it('models.predict with a jobId streams its results and progress under that id, and models.cancelPredict stops it', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-handlers-predict-'));
    const ws = openWorkspace(path.join(root, 'home'));
    const config = TrainConfigSchema.parse({ datasetId: 'colours', name: 'colour run', input: { size: 8, channels: 3, fit: 'squash' } });
    const run = await createRun(ws, config, { datasetName: 'colours', classes: ['red', 'green', 'blue'], backend: 'cpu', datasetFingerprint: 'x' });
    await saveModel(ws.runDir(run.id), colourModel());
    const folder = path.join(root, 'images');
    mkdirSync(folder);
    // Three batches of 64 (the last partial), so a cancel lands before the end.
    await Promise.all(Array.from({ length: 150 }, (_, i) => sharp({ create: { width: 6, height: 6, channels: 3, background: { r: i % 3 === 0 ? 220 : 10, g: i % 3 === 1 ? 220 : 10, b: i % 3 === 2 ? 220 : 10 } } }).png().toFile(path.join(folder, `${String(i).padStart(3, '0')}.png`))));
    const events: LabEvent[] = [];
    let h = exportHandlers({ ws, emit: (e) => events.push(e), shell: 'cli', version: 'test' });
    const preds = await h['models.predict'](PredictRequestSchema.parse({ model: run.id, paths: [folder], topK: 1, jobId: 'job-a' }));
    const streamed = events.flatMap((e) => (e.type === 'predict.results' && e.jobId === 'job-a' ? e.results : []));
    expect(streamed.map((p) => p.path)).toEqual(preds.map((p) => p.path));
    expect(streamed.map((p) => p.top[0]?.label)).toEqual(Array.from({ length: 150 }, (_, i) => ['red', 'green', 'blue'][i % 3]));
    const progress = events.filter((e) => e.type === 'predict.progress');
    expect(progress.every((e) => e.type === 'predict.progress' && e.jobId === 'job-a')).toBe(true);
    expect(progress.at(-1)).toMatchObject({ done: 150, total: 150, etaS: 0 });

    h = exportHandlers({
      ws,
      emit: (e) => {
        if (e.type === 'predict.progress' && e.done === 0) void h['models.cancelPredict']('job-b');
      },
      shell: 'cli',
      version: 'test',
    });
    await expect(h['models.predict'](PredictRequestSchema.parse({ model: run.id, paths: [folder], topK: 1, jobId: 'job-b' }))).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await h['models.cancelPredict']('job-b')).toEqual({ cancelled: false });
  });

  it('quantisation reads only the images it measures and calibrates on, the same pixels as the splits in memory', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-handlers-export-reads-'));
    const ws = openWorkspace(path.join(root, 'home'));
    for (let i = 0; i < 10; i++) for (const c of [0, 1]) await put(path.join(root, 'images', `class-${c}`, `${i}.png`), await distinct(c, i));
    const datasetId = (await importDataset(ws, { paths: [path.join(root, 'images')], split: { val: 0.2, test: 0.3, seed: 2 } })).id;
    const input = { size: 8, channels: 3 as const, fit: 'squash' as const };
    const config = TrainConfigSchema.parse({ datasetId, input });
    const [train, test] = [await loadSplit(ws, datasetId, input, 'train'), await loadSplit(ws, datasetId, input, 'test')];
    const per = 8 * 8 * 3;
    expect(test.n).toBeGreaterThan(3);
    expect(train.n).toBeGreaterThan(4);

    resetReads(reads);
    const evaluation = await evaluationData({ ws }, config, train.classes, 3);
    expect(reads).toEqual({ rowsPerRead: [3], wholeLoads: 0 });
    expect(evaluation.data?.pixels).toEqual(test.x.subarray(0, 3 * per));
    expect(evaluation.data?.labels).toEqual(Array.from(test.y.subarray(0, 3)));
    expect(evaluation.note).toBe('Quantised accuracy measured on 3 test images.');

    resetReads(reads);
    const calibration = await calibrationData({ ws }, config, 4);
    expect(reads).toEqual({ rowsPerRead: [4], wholeLoads: 0 });
    // Four images spread evenly over the training split, as before.
    const want = new Uint8Array(4 * per);
    for (let i = 0; i < 4; i++) want.set(train.x.subarray(Math.floor((i * train.n) / 4) * per, (Math.floor((i * train.n) / 4) + 1) * per), i * per);
    expect(calibration).toEqual({ pixels: want, n: 4 });
  });
});
