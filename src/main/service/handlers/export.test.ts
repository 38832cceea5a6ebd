import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../../shared/config';
import { PredictRequestSchema, ExportRequestSchema } from '../../../shared/contract';
import { colourModel } from '../../export/test-support/tiny-models';
import { createRun, saveModel } from '../../runs';
import { openWorkspace } from '../../workspace';
import { exportHandlers } from './export';

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
});
