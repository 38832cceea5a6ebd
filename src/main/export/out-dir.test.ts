/** Re-exporting into a folder: the TFLite export's files are replaced like every other export's, and a user's file of the same name is never touched. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareOutDir, writeExportMarker } from './out-dir';

const roots: string[] = [];
afterEach(() => {
  while (roots.length) rmSync(roots.pop()!, { recursive: true, force: true });
});

function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-outdir-'));
  roots.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const TFLITE_FILES = ['model.tflite', 'labels.txt', 'preprocessing.json', 'example/predict.py', 'README.md'];

describe('prepareOutDir', () => {
  it('replaces an earlier TFLite export, example/predict.py included', async () => {
    const dir = folderWith(Object.fromEntries(TFLITE_FILES.map((f) => [f, 'old'])));
    await writeExportMarker(dir, 'tflite', TFLITE_FILES);
    await prepareOutDir(dir);
    for (const f of TFLITE_FILES) expect(existsSync(path.join(dir, f))).toBe(false);
    expect(existsSync(path.join(dir, 'example'))).toBe(false);
  });

  it("replaces the run's own TFLite export written before the marker existed", async () => {
    const dir = folderWith(Object.fromEntries(TFLITE_FILES.map((f) => [f, 'old'])));
    await prepareOutDir(dir, { labOwned: true });
    for (const f of TFLITE_FILES) expect(existsSync(path.join(dir, f))).toBe(false);
  });

  it("refuses a folder where example/predict.py is the user's, not the earlier export's, and leaves it as it was", async () => {
    const tfjsFiles = ['model.json', 'group1-shard1of1.bin', 'labels.txt', 'preprocessing.json', 'example/predict.mjs', 'example/package.json', 'README.md'];
    const dir = folderWith({ ...Object.fromEntries(tfjsFiles.map((f) => [f, 'old'])), 'example/predict.py': 'mine' });
    await writeExportMarker(dir, 'tfjs', tfjsFiles);
    await expect(prepareOutDir(dir)).rejects.toMatchObject({ code: 'BAD_ARGUMENT', details: { path: path.join(dir, 'example/predict.py') } });
    expect(readFileSync(path.join(dir, 'example/predict.py'), 'utf8')).toBe('mine');
    expect(existsSync(path.join(dir, 'model.json'))).toBe(true);
  });
});
