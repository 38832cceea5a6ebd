/**
 * TFLite Support metadata in the exported .tflite: the "TFLITE_METADATA" buffer parses back (identifier M001)
 * with the input's colour space, size and normalisation and the output's label file, labels.txt is inside the
 * file as a zip that another zip reader (Python's zipfile, when python3 is here) opens, and — where Chromium is
 * present — the TFLite interpreter still loads the file and answers like the lab, and TFLite's own Task Library
 * (its ImageClassifier refuses a model without metadata) takes labels and normalisation from it.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportModel } from '../export-model';
import { PRE8, tinyCnn } from '../test-support/tiny-models';
import { AssociatedFileType, appendAssociatedFiles, buildModelMetadata, ColorSpaceType, METADATA_BUFFER_NAME, parseModelMetadata, readAssociatedFiles, tfliteMetadataBuffer } from './tflite-metadata';
import { randomPixels } from '../verify-export';
import { chromiumPath, openTfliteInterpreter } from './tflite-runner';

await tf.setBackend('cpu');

const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p));

describe('TFLite metadata', () => {
  it('an export carries TFLite Support metadata and labels.txt, and still runs in the interpreter', async () => {
    const labels = ['red', 'green', 'blue'];
    const model = tinyCnn();
    const out = mkdtempSync(path.join(os.tmpdir(), 'lab-tflite-meta-'));
    const result = await exportModel(model, { format: 'tflite', outDir: out, labels, preprocessing: PRE8, modelName: 'colours' });
    model.dispose();
    const file = path.join(result.dir, 'model.tflite');
    const bytes = readFileSync(file);
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('TFL3');

    const buffer = tfliteMetadataBuffer(bytes, METADATA_BUFFER_NAME);
    expect(buffer).not.toBeNull();
    const meta = parseModelMetadata(buffer!);
    expect(meta).toMatchObject({ name: 'colours', minParserVersion: '1.0.0' });
    expect(meta.input).toEqual({ name: 'image', colorSpace: ColorSpaceType.RGB, width: 8, height: 8, mean: [0], std: [255] });
    expect(meta.output.files).toEqual([{ name: 'labels.txt', type: AssociatedFileType.TENSOR_AXIS_LABELS }]);

    expect(Buffer.from(readAssociatedFiles(bytes).get('labels.txt')!).toString('utf8')).toBe('red\ngreen\nblue\n');
    if (PYTHON) {
      const read = execFileSync(PYTHON, ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; sys.stdout.write(z.read("labels.txt").decode())', file], { encoding: 'utf8' });
      expect(read).toBe('red\ngreen\nblue\n');
    }
    if (chromiumPath()) {
      expect(result.verified?.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    }
  }, 120_000);

  it.skipIf(!chromiumPath())('TFLite\'s own Task Library ImageClassifier reads the metadata: the lab\'s labels and probabilities', async () => {
    const labels = ['cat', 'dog', 'fox'];
    const model = tinyCnn();
    const out = mkdtempSync(path.join(os.tmpdir(), 'lab-tflite-task-'));
    const result = await exportModel(model, { format: 'tflite', outDir: out, labels, preprocessing: PRE8, modelName: 'pets' });
    // Images already 8×8, so the Task Library does not resize: it normalises with the metadata's mean/std only.
    const pixels = randomPixels(4, PRE8, 5);
    const per = 8 * 8 * 3;
    const images = Array.from({ length: 4 }, (_, i) => {
      const rgba = new Uint8Array(8 * 8 * 4);
      for (let p = 0; p < 64; p++) {
        for (let c = 0; c < 3; c++) rgba[p * 4 + c] = pixels[i * per + p * 3 + c]!;
        rgba[p * 4 + 3] = 255;
      }
      return { width: 8, height: 8, rgba };
    });
    const lab = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [4, 8, 8, 3]).div(255)) as tf.Tensor).arraySync() as number[][]);
    model.dispose();
    const interpreter = await openTfliteInterpreter();
    if ('reason' in interpreter) throw new Error(interpreter.reason);
    try {
      const answers = await interpreter.classifyWithMetadata(path.join(result.dir, 'model.tflite'), images);
      answers.forEach((classes, i) => {
        expect(classes.map((c) => c.className).sort()).toEqual([...labels].sort());
        for (const c of classes) expect(Math.abs(c.probability - lab[i]![labels.indexOf(c.className)]!)).toBeLessThan(1e-4);
      });
    } finally {
      await interpreter.close();
    }
  }, 120_000);

  it('greyscale and symmetric normalisation are written as the schema says: (x − 127.5) / 127.5, GRAYSCALE', () => {
    const bytes = buildModelMetadata({ name: 'g', description: 'd', version: '1', author: 'a', labels: ['x', 'y'], preprocessing: { input: { size: 28, channels: 1, fit: 'squash' }, normalization: 'symmetric', channelOrder: 'L', layout: 'NHWC' } });
    expect(Buffer.from(bytes.subarray(4, 8)).toString('latin1')).toBe('M001');
    expect(parseModelMetadata(bytes).input).toEqual({ name: 'image', colorSpace: ColorSpaceType.GRAYSCALE, width: 28, height: 28, mean: [127.5], std: [127.5] });
    expect(() => parseModelMetadata(new Uint8Array(16))).toThrow(/M001/);
  });

  it('the appended zip leaves the model bytes untouched at the front and holds several files', () => {
    const model = new Uint8Array([1, 2, 3, 4, 5]);
    const packed = appendAssociatedFiles(model, [
      { name: 'labels.txt', data: new TextEncoder().encode('a\nb\n') },
      { name: 'labels_zh.txt', data: new TextEncoder().encode('甲\n乙\n') },
    ]);
    expect(Array.from(packed.subarray(0, 5))).toEqual([1, 2, 3, 4, 5]);
    const files = readAssociatedFiles(packed);
    expect([...files.keys()]).toEqual(['labels.txt', 'labels_zh.txt']);
    expect(Buffer.from(files.get('labels_zh.txt')!).toString('utf8')).toBe('甲\n乙\n');
  });
});
