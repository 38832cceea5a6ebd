import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportModel } from './export-model';
import { decodeModel } from './onnx/onnx-proto';
import { PRE8, tinyCnn, tinyResidual } from './test-support/tiny-models';
import { randomPixels } from './verify-export';

const tmp = (): string => mkdtempSync(path.join(os.tmpdir(), 'lab-onnx-'));

function argmaxRows(p: Float32Array, classes: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < p.length / classes; i++) {
    const row = Array.from(p.subarray(i * classes, (i + 1) * classes));
    out.push(row.indexOf(Math.max(...row)));
  }
  return out;
}

/** The lab's probabilities and onnxruntime's for the same (normalised) inputs. */
async function bothRuntimes(model: tf.LayersModel, file: string, n: number): Promise<{ lab: Float32Array; onnx: Float32Array }> {
  const x = Float32Array.from(randomPixels(n, PRE8, 4242), (v) => v / 255);
  const lab = tf.tidy(() => (model.predict(tf.tensor4d(x, [n, 8, 8, 3])) as tf.Tensor).dataSync() as Float32Array);
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ input: new ort.Tensor('float32', x, [n, 8, 8, 3]) });
  return { lab, onnx: out.probabilities.data as Float32Array };
}

const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('ONNX export', () => {
  for (const [name, make, classes] of [
    ['sequential CNN with seed-exact batch norm, depthwise conv, padding, pooling, flatten', () => tinyCnn(), 3],
    ['functional residual model with Add, ReLU6, LeakyReLU and global pooling', () => tinyResidual(), 4],
  ] as const) {
    it(`${name}: onnxruntime gives the lab's probabilities (≤ 1e-4) and top-1`, async () => {
      const model = make();
      const labels = Array.from({ length: classes }, (_, i) => `c${i}`);
      const r = await exportModel(model, { format: 'onnx', outDir: tmp(), labels, preprocessing: PRE8, modelName: 'm' });
      const file = path.join(r.dir, 'model.onnx');
      const { lab, onnx } = await bothRuntimes(model, file, 16);
      expect(onnx.length).toBe(lab.length);
      expect(maxDiff(lab, onnx)).toBeLessThanOrEqual(1e-4);
      expect(argmaxRows(onnx, classes)).toEqual(argmaxRows(lab, classes));
      const decoded = decodeModel(readFileSync(file)) as { opsetImport: { version: number }[]; graph: { input: { name: string }[]; node: { opType: string }[] } };
      expect(decoded.opsetImport[0].version).toBeGreaterThanOrEqual(13);
      expect(decoded.graph.input[0].name).toBe('input');
      expect(decoded.graph.node.some((n) => n.opType === 'Conv')).toBe(true);
    });
  }

  it('float16 and uint8 quantisation shrink model.onnx and keep predictions close', async () => {
    const model = tinyCnn();
    const root = tmp();
    const labels = ['a', 'b', 'c'];
    const base = await exportModel(model, { format: 'onnx', outDir: path.join(root, 'none'), labels, preprocessing: PRE8, modelName: 'm' });
    const size32 = statSync(path.join(base.dir, 'model.onnx')).size;
    for (const [mode, tol] of [['float16', 1e-2], ['uint8', 5e-2]] as const) {
      const r = await exportModel(model, { format: 'onnx', outDir: path.join(root, mode), labels, preprocessing: PRE8, modelName: 'm', quantize: mode });
      const file = path.join(r.dir, 'model.onnx');
      expect(statSync(file).size).toBeLessThan(size32);
      expect(r.quantization!.bytesAfter).toBeLessThan(r.quantization!.bytesBefore / (mode === 'float16' ? 1.9 : 3));
      const { lab, onnx } = await bothRuntimes(model, file, 8);
      expect(maxDiff(lab, onnx)).toBeGreaterThan(0);
      expect(maxDiff(lab, onnx)).toBeLessThan(tol);
      const ops = (decodeModel(readFileSync(file)) as { graph: { node: { opType: string }[] } }).graph.node.map((n) => n.opType);
      expect(ops).toContain(mode === 'float16' ? 'Cast' : 'DequantizeLinear');
    }
  });
});

const TM_FIXTURE = path.resolve('../shared/fixtures/teachable-machine-2019');

describe.skipIf(!existsSync(path.join(TM_FIXTURE, 'model.json')))('ONNX export of a real network', () => {
  it('the 2019 Teachable Machine MobileNetV2 (ReLU6, depthwise conv, padding, residual Add) runs in onnxruntime like tfjs', async () => {
    const { loadExportedModel } = await import('./load-exported');
    const tm = await loadExportedModel(TM_FIXTURE);
    const r = await exportModel(tm.model, { format: 'onnx', outDir: tmp(), labels: tm.labels, preprocessing: tm.preprocessing, modelName: 'tm' });
    // exportModel ran onnxruntime-node on random 224×224 images and compared with tfjs.
    expect(r.verified).toMatchObject({ sameTop1: true });
    expect(r.verified!.samples).toBeGreaterThanOrEqual(2);
    expect(r.verified!.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    const ops = new Set((decodeModel(readFileSync(path.join(r.dir, 'model.onnx'))) as { graph: { node: { opType: string }[] } }).graph.node.map((n) => n.opType));
    for (const op of ['Conv', 'Clip', 'Pad', 'Sum', 'GlobalAveragePool', 'Gemm', 'Softmax']) expect(ops.has(op), op).toBe(true);
  });
});
