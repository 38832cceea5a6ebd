import { spawn } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { predictImages } from '../predict/predict-images';
import { exportModel } from './export-model';
import { colourModel, PRE8 } from './test-support/tiny-models';
import type { ExportFormat } from '../../shared/dto';

/** A user's project folder: the export plus node_modules with what example/package.json lists. */
function project(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-example-'));
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

function runNode(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A non-uniform picture (so resizing matters) in which one colour dominates. */
async function picture(file: string, dominant: 0 | 1 | 2): Promise<string> {
  const w = 12;
  const h = 10;
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = (x * 20) % 90;
      data[i + 1] = (y * 25) % 80;
      data[i + 2] = ((x + y) * 7) % 70;
      data[i + dominant] = 150 + ((x * y) % 100);
    }
  }
  await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);
  return file;
}

describe('example/predict.mjs', () => {
  for (const [format, colour, dominant] of [['tfjs', 'green', 1], ['teachable-machine', 'blue', 2], ['onnx', 'red', 0]] as [ExportFormat, string, 0 | 1 | 2][]) {
    it(`${format}: node example/predict.mjs <image> prints the expected class with the lab's probability`, async () => {
      const root = project();
      const model = colourModel();
      const labels = ['red', 'green', 'blue'];
      const r = await exportModel(model, { format, outDir: path.join(root, 'export'), labels, preprocessing: PRE8, modelName: 'colours' });
      const image = await picture(path.join(root, `${colour}.png`), dominant);
      const out = await runNode(path.join(r.dir, 'example', 'predict.mjs'), [image]);
      expect(out.stderr).not.toMatch(/Error/);
      expect(out.code).toBe(0);
      const lines = out.stdout.trim().split('\n');
      expect(lines).toHaveLength(3);
      const [label, p] = lines[0].split('\t');
      expect(label).toBe(colour);
      const [lab] = await predictImages(model, labels, PRE8, [image], { topK: 1 });
      expect(lab.top[0].label).toBe(colour);
      // Same pixels in and out of the lab (Teachable Machine's convention crops instead of squashing, so only close there).
      expect(Math.abs(Number(p) - lab.top[0].probability)).toBeLessThanOrEqual(format === 'teachable-machine' ? 0.05 : 1e-4);
      if (format === 'onnx') {
        const usage = await runNode(path.join(r.dir, 'example', 'predict.mjs'), []);
        expect(usage.code).toBe(2);
        expect(usage.stderr).toContain('usage');
      }
    });
  }
});
