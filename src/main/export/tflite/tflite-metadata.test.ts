/**
 * TFLite Support metadata in the exported .tflite: the "TFLITE_METADATA" buffer parses back (identifier M001)
 * with the input's colour space, size and normalisation and the output's label file, labels.txt is inside the
 * file as a zip that another zip reader (Python's zipfile, when python3 is here) opens, and — where Chromium is
 * present — the TFLite interpreter still loads the file and answers like the lab.
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
import { chromiumPath } from './tflite-runner';

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
