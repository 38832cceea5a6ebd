import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { openWorkspace } from '../workspace';
import { exportZipPath, serveExportZip } from './export-zip';

function workspaceWithExport() {
  const ws = openWorkspace(mkdtempSync(path.join(os.tmpdir(), 'zip-')));
  const dir = path.join(ws.runDir('run-1'), 'export', 'onnx-float16');
  mkdirSync(path.join(dir, 'example'), { recursive: true });
  writeFileSync(path.join(dir, 'model.onnx'), Buffer.from([1, 2, 3]));
  writeFileSync(path.join(dir, 'labels.txt'), 'cat\ndog\n');
  writeFileSync(path.join(dir, 'example', 'predict.mjs'), 'console.log(1)');
  return ws;
}

describe('the export download route', () => {
  it('zips a run\'s export folder with its sub-folders, as an attachment', () => {
    const ws = workspaceWithExport();
    const r = serveExportZip(exportZipPath('run-1', 'onnx-float16'), ws)!;
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/zip');
    expect(r.headers?.['Content-Disposition']).toContain('run-1-onnx-float16.zip');
    const files = unzipSync(new Uint8Array(r.body as Buffer), { filter: (f) => !f.name.endsWith('/') }); // folder entries aside
    expect(Object.keys(files).sort()).toEqual(['onnx-float16/example/predict.mjs', 'onnx-float16/labels.txt', 'onnx-float16/model.onnx']);
    expect(strFromU8(files['onnx-float16/labels.txt']!)).toBe('cat\ndog\n');
  });

  it('answers other paths with null, a missing export with 404 and what to do, and never leaves the export folder', () => {
    const ws = workspaceWithExport();
    expect(serveExportZip('/api/image/x/1', ws)).toBeNull();
    const missing = serveExportZip(exportZipPath('run-1', 'tfjs'), ws)!;
    expect(missing.status).toBe(404);
    expect(String(missing.body)).toMatch(/Export it first/);
    expect(serveExportZip('/api/export/run-1/..%2F..%2Fsecrets.zip', ws)!.status).toBe(400);
    expect(serveExportZip('/api/export/..%2Frun-1/tfjs.zip', ws)!.status).toBe(400);
    // a link planted in export/ that leads outside is not followed
    const outside = mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    writeFileSync(path.join(outside, 'private.txt'), 'x');
    symlinkSync(outside, path.join(ws.runDir('run-1'), 'export', 'tfjs'));
    expect(serveExportZip(exportZipPath('run-1', 'tfjs'), ws)!.status).toBe(404);
  });
});
