/**
 * The TFLite export folder: model.tflite (float32, float16 weights, or full-integer int8 calibrated on
 * training images), labels.txt, preprocessing.json, README.md and example/predict.py. The labels and the
 * preprocessing are also inside the .tflite file, as named metadata buffers ("labels",
 * "preprocessing.json"), in its description, and as TFLite Support's standard metadata ("TFLITE_METADATA":
 * image input with its normalisation, output labelled by labels.txt, which is appended to the file as a zip).
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Preprocessing } from '../../../shared/dto';
import { LabError } from '../../../shared/errors';
import { msg } from '../../../shared/messages';
import { normalizationOf, preprocessingJson, readmeText } from '../preprocessing-doc';
import type { Runner } from '../verify-export';
import { evaluateGraph, type Range } from './graph-eval';
import { layersModelToGraph } from './layers-to-graph';
import { float16Spec, float32Spec, int8Spec, type TflitePrecision } from './quantize-graph';
import { openTfliteInterpreter } from './tflite-runner';
import { appendAssociatedFiles, buildModelMetadata, LABELS_FILE, METADATA_BUFFER_NAME } from './tflite-metadata';
import { writeTflite } from './tflite-writer';

export const DEFAULT_CALIBRATION_IMAGES = 300;

export interface CalibrationData {
  /** Raw 0…255 pixels of n training images (n × size × size × channels). */
  pixels: Uint8Array | Float32Array;
  n: number;
}

export interface TfliteExportOptions {
  labels: string[];
  preprocessing: Preprocessing;
  modelName: string;
  precision: TflitePrecision;
  calibration?: CalibrationData;
}

export interface TfliteWritten {
  files: string[];
  notes: string[];
  runner: Runner | null;
  /** Stops the interpreter behind `runner`. */
  close: () => Promise<void>;
  bytesBefore: number;
  bytesAfter: number;
  calibrated?: number;
}

/** Calibrate: the range of every tensor of the float graph over the calibration images, 32 at a time. */
function calibrate(graph: ReturnType<typeof layersModelToGraph>['graph'], data: CalibrationData, pre: Preprocessing): Map<number, Range> {
  const { size, channels } = pre.input;
  const per = size * size * channels;
  const { scale, offset } = normalizationOf(pre.normalization);
  const ranges = new Map<number, Range>();
  for (let i = 0; i < data.n; i += 32) {
    const m = Math.min(32, data.n - i);
    const x = tf.tidy(() => tf.tensor4d(Float32Array.from(data.pixels.subarray(i * per, (i + m) * per)), [m, size, size, channels]).mul(scale).add(offset) as tf.Tensor4D);
    evaluateGraph(graph, x, ranges).dispose();
    x.dispose();
  }
  return ranges;
}

const PYTHON_EXAMPLE = String.raw`#!/usr/bin/env python3
"""Classify one image with this TFLite export.   Usage: python3 example/predict.py <image> [--top K]
Needs: pip install ai-edge-litert pillow numpy   (or tflite-runtime, or tensorflow)"""
import json, sys, pathlib
import numpy as np
from PIL import Image, ImageOps

try:
    from ai_edge_litert.interpreter import Interpreter
except ImportError:
    try:
        from tflite_runtime.interpreter import Interpreter
    except ImportError:
        from tensorflow.lite import Interpreter

here = pathlib.Path(__file__).resolve().parent.parent
pre = json.loads((here / "preprocessing.json").read_text())
labels = pre["output"]["labels"]
h, w, c = pre["input"]["height"], pre["input"]["width"], pre["input"]["channels"]

img = ImageOps.exif_transpose(Image.open(sys.argv[1]))
img = img.convert("L" if c == 1 else "RGB")
mode = pre["resize"]["mode"]
if mode == "squash":
    img = img.resize((w, h), Image.LANCZOS)
elif mode == "crop":
    img = ImageOps.fit(img, (w, h), Image.LANCZOS)
else:
    img = ImageOps.pad(img, (w, h), Image.LANCZOS, color=0)
x = np.asarray(img, dtype=np.float32).reshape(1, h, w, c)
x = x * pre["normalization"]["scale"] + pre["normalization"]["offset"]

interpreter = Interpreter(model_path=str(here / "model.tflite"))
interpreter.allocate_tensors()
interpreter.set_tensor(interpreter.get_input_details()[0]["index"], x.astype(np.float32))
interpreter.invoke()
p = interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0]
top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 3
for i in np.argsort(-p)[:top]:
    print(f"{labels[i]}\t{p[i]:.4f}")
`;

const PRECISION_WORDS: Record<TflitePrecision, string> = {
  float32: 'float32',
  float16: 'float16 weights (DEQUANTIZE at load time, float32 arithmetic)',
  int8: 'full-integer int8 (float32 input and output; QUANTIZE after the input, DEQUANTIZE before the output)',
};

export async function writeTfliteExport(dir: string, stdModel: tf.LayersModel, opts: TfliteExportOptions, notes: string[]): Promise<TfliteWritten> {
  const pre = opts.preprocessing;
  const { graph, foldedBatchNorms } = layersModelToGraph(stdModel, { inputName: 'input', outputName: 'probabilities' });
  if (foldedBatchNorms) notes.push(`${foldedBatchNorms} batch-norm layer(s) were folded into the convolution or dense layer before them.`);
  const doc = preprocessingJson(pre, opts.labels);
  const norm = normalizationOf(pre.normalization);
  const header = {
    name: opts.modelName,
    description: `image-classification-lab · ${PRECISION_WORDS[opts.precision]} · input "input" float32 [1, ${pre.input.size}, ${pre.input.size}, ${pre.input.channels}] NHWC, ${norm.formula} · output "probabilities" in labels order`,
    metadata: [
      { name: 'labels', data: new TextEncoder().encode(opts.labels.join('\n') + '\n') },
      { name: 'preprocessing.json', data: new TextEncoder().encode(JSON.stringify(doc)) },
      // TFLite Support's standard metadata (what Android Studio and the Task Library read), labels.txt appended below.
      {
        name: METADATA_BUFFER_NAME,
        data: buildModelMetadata({
          name: opts.modelName,
          description: `Image classifier trained in image-classification-lab (${PRECISION_WORDS[opts.precision]}).`,
          version: '1',
          author: 'image-classification-lab',
          labels: opts.labels,
          preprocessing: pre,
        }),
      },
    ],
  };
  const labelsText = new TextEncoder().encode(opts.labels.join('\n') + '\n');
  const withFiles = (model: Uint8Array): Uint8Array => appendAssociatedFiles(model, [{ name: LABELS_FILE, data: labelsText }]);
  let calibrated: number | undefined;
  let spec;
  if (opts.precision === 'int8') {
    if (!opts.calibration || opts.calibration.n < 1) {
      throw new LabError('EXPORT_FAILED', msg('deploy.tflite.noCalibration'));
    }
    spec = int8Spec(graph, calibrate(graph, opts.calibration, pre), header);
    calibrated = opts.calibration.n;
    notes.push(`int8 ranges calibrated on ${calibrated} training image(s).`);
  } else {
    spec = opts.precision === 'float16' ? float16Spec(graph, header) : float32Spec(graph, header);
  }
  const bytes = withFiles(writeTflite(spec));
  await fsp.writeFile(path.join(dir, 'model.tflite'), bytes);
  await fsp.writeFile(path.join(dir, 'labels.txt'), opts.labels.join('\n') + '\n');
  await fsp.writeFile(path.join(dir, 'preprocessing.json'), JSON.stringify(doc, null, 2) + '\n');
  await fsp.mkdir(path.join(dir, 'example'), { recursive: true });
  await fsp.writeFile(path.join(dir, 'example', 'predict.py'), PYTHON_EXAMPLE);
  const files = ['model.tflite', 'labels.txt', 'preprocessing.json', 'example/predict.py', 'README.md'];
  // Size of the float32 file, so a quantised export reports what it saved.
  const float32Bytes = opts.precision === 'float32' ? bytes.byteLength : withFiles(writeTflite(float32Spec(graph, header))).byteLength;

  const interpreter = await openTfliteInterpreter();
  let runner: Runner | null = null;
  let close = async (): Promise<void> => {};
  if ('reason' in interpreter) {
    notes.push(`The .tflite file was not run back in a TFLite interpreter here (${interpreter.reason}).`);
  } else {
    close = () => interpreter.close();
    try {
      runner = await interpreter.runner(path.join(dir, 'model.tflite'), pre);
    } catch (err) {
      await close();
      throw new LabError('EXPORT_FAILED', msg('deploy.tflite.failed', { detail: (err as Error).message }));
    }
  }
  const run = 'pip install ai-edge-litert pillow numpy && python3 example/predict.py path/to/image.jpg';
  await fsp.writeFile(path.join(dir, 'README.md'), readmeText({ title: opts.modelName, format: `TensorFlow Lite (${PRECISION_WORDS[opts.precision]})`, doc, files, run, notes }));
  return { files, notes, runner, close, bytesBefore: float32Bytes, bytesAfter: bytes.byteLength, ...(calibrated ? { calibrated } : {}) };
}
