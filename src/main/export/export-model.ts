/**
 * Export a trained model as tfjs, Teachable Machine, ONNX or TensorFlow Lite. Each export holds the model, its labels,
 * the exact preprocessing (preprocessing.json + README.md) and example/predict.mjs; each is loaded back
 * and checked against the lab's model on the same pixels before it is reported as done.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ExportFormat, ExportResult, Preprocessing, QuantizationReport } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { examplePackageJson, exampleScript } from './example-scripts';
import { withInputAffine } from './input-adapter';
import { modelFromArtifacts, snapshotArtifacts, snapshotModel, writeLayersModel, type LayersSnapshot } from './layers-artifacts';
import { loadExportedModel } from './load-exported';
import { layersModelToOnnx } from './onnx/layers-to-onnx';
import { encodeModel } from './onnx/onnx-proto';
import { onnxRunner } from './onnx/onnx-runner';
import { prepareOutDir, writeExportMarker } from './out-dir';
import { assertWritableFolder, isInside, realPathLoose } from '../workspace-guard';
import type { Workspace } from '../workspace';
import { normalizationOf, preprocessingJson, readmeText, TM_NORMALIZATION, type PreprocessingJson } from './preprocessing-doc';
import type { QuantizeMode } from './quantize';
import { standardizeSnapshot } from './standardize-layers';
import { writeTfliteExport, type CalibrationData } from './tflite/write-tflite-export';
import { compareRunners, randomPixels, tfjsRunner, type Runner } from './verify-export';

export interface EvaluationData {
  /** Raw 0…255 pixels of n images, n × size × size × channels (the decoded-image cache's layout). */
  pixels: Uint8Array | Float32Array;
  /** True class index of each image. */
  labels: number[];
}

export interface ExportOptions {
  format: ExportFormat;
  outDir: string;
  labels: string[];
  preprocessing: Preprocessing;
  modelName: string;
  /** int8 is TFLite's full-integer quantisation (tflite only); uint8 is tfjs/ONNX weight quantisation. */
  quantize?: QuantizeMode | 'int8';
  /** Representative training images, for int8 calibration. */
  calibration?: CalibrationData;
  /** The test split: with quantisation, accuracy is measured before and after. */
  evaluation?: EvaluationData;
  /**
   * Refuse folders that are (or lie inside) an imported dataset or the workspace, by real path; allowInside names
   * the lab's own folders for this run (its <runDir>/export), which are also treated as lab-owned.
   */
  guard?: { ws: Workspace; allowInside?: string[] };
}

/** Teachable Machine metadata fields, as its image library writes them. */
const TM_VERSION = '2.4.5';
const TM_PACKAGE = { packageName: '@teachablemachine/image', packageVersion: '0.8.4' };
/** Images used to check an export against the lab's model: 8 small ones, fewer when each is large (CPU time). */
const verifySamples = (pre: Preprocessing): number => Math.max(2, Math.min(8, Math.floor(200_000 / (pre.input.size * pre.input.size * pre.input.channels))));
const VERIFY_TOLERANCE = 1e-4;

interface Written {
  files: string[];
  notes: string[];
  /** How to run the export on raw pixels, for verification (null: no runtime for it here). */
  runner: Runner | null;
  bytesBefore: number;
  bytesAfter: number;
  /** Releases what `runner` holds (an interpreter process). */
  close?: () => Promise<void>;
  calibrated?: number;
}

/** Options as the tfjs, Teachable Machine and ONNX writers take them (no int8). */
type LayersExportOptions = Omit<ExportOptions, 'quantize'> & { quantize?: QuantizeMode };

function bytesOf(snapshot: LayersSnapshot): number {
  return snapshot.weights.reduce((n, w) => n + w.values.byteLength, 0);
}

async function fileSize(file: string): Promise<number> {
  return (await fsp.stat(file)).size;
}

async function writeCommon(dir: string, doc: PreprocessingJson, args: { title: string; format: string; runtime: 'tfjs' | 'onnx'; files: string[]; notes: string[]; labelsTxt: boolean }): Promise<string[]> {
  const extra: string[] = [];
  if (args.labelsTxt) {
    await fsp.writeFile(path.join(dir, 'labels.txt'), doc.output.labels.join('\n') + '\n');
    extra.push('labels.txt');
  }
  await fsp.writeFile(path.join(dir, 'preprocessing.json'), JSON.stringify(doc, null, 2) + '\n');
  await fsp.mkdir(path.join(dir, 'example'), { recursive: true });
  await fsp.writeFile(path.join(dir, 'example', 'predict.mjs'), exampleScript(args.runtime));
  await fsp.writeFile(path.join(dir, 'example', 'package.json'), examplePackageJson(args.runtime));
  extra.push('preprocessing.json', 'example/predict.mjs', 'example/package.json', 'README.md');
  const all = [...args.files, ...extra];
  const run = `cd example && npm install && node predict.mjs path/to/image.jpg`;
  await fsp.writeFile(path.join(dir, 'README.md'), readmeText({ title: args.title, format: args.format, doc, files: all, run, notes: args.notes }));
  return all;
}

async function writeTfjs(dir: string, std: LayersSnapshot, opts: LayersExportOptions, notes: string[]): Promise<Written> {
  const quantize = opts.quantize ?? 'none';
  const files = await writeLayersModel(dir, std, { quantize });
  const doc = preprocessingJson(opts.preprocessing, opts.labels);
  const all = await writeCommon(dir, doc, { title: opts.modelName, format: 'TensorFlow.js layers model', runtime: 'tfjs', files, notes, labelsTxt: true });
  const loaded = await loadExportedModel(dir);
  let bytesAfter = 0;
  for (const f of files.slice(1)) bytesAfter += await fileSize(path.join(dir, f));
  return { files: all, notes, runner: tfjsRunner(loaded.model, loaded.preprocessing), bytesBefore: bytesOf(std), bytesAfter };
}

async function writeTeachableMachine(dir: string, stdModel: tf.LayersModel, opts: LayersExportOptions, notes: string[]): Promise<Written> {
  const pre = opts.preprocessing;
  const lab = normalizationOf(pre.normalization);
  // TM code feeds pixel/127 − 1; the adapter turns that into what the model was trained on: x = p·s + o with p = (t+1)·127.
  const scale = 127 * lab.scale;
  const wrapped = withInputAffine(stdModel, scale, scale + lab.offset, 'tm_input_adapter');
  const snapshot = await snapshotModel(wrapped);
  const quantize = opts.quantize ?? 'none';
  const files = await writeLayersModel(dir, snapshot, { quantize, weightsFile: 'weights.bin' });
  const metadata = {
    tfjsVersion: tf.version.tfjs,
    tmVersion: TM_VERSION,
    ...TM_PACKAGE,
    timeStamp: new Date().toISOString(),
    userMetadata: { exportedBy: 'image-classification-lab', preprocessing: pre },
    modelName: opts.modelName,
    labels: opts.labels,
    imageSize: pre.input.size,
    ...(pre.input.channels === 1 ? { grayscale: true } : {}),
  };
  await fsp.writeFile(path.join(dir, 'metadata.json'), JSON.stringify(metadata));
  if (pre.input.fit !== 'crop') {
    notes.push(`Teachable Machine code crops the centre square before resizing; this model was trained with "${pre.input.fit}", so non-square images may score slightly differently there than in the lab.`);
  }
  const tmPre: Preprocessing = { ...pre, input: { ...pre.input, fit: 'crop' } };
  const doc = preprocessingJson(tmPre, opts.labels, { normalization: { ...TM_NORMALIZATION, kind: 'teachable-machine' } });
  const all = await writeCommon(dir, doc, { title: opts.modelName, format: 'Teachable Machine image model', runtime: 'tfjs', files: [...files, 'metadata.json'], notes, labelsTxt: false });
  const loaded = await loadExportedModel(dir);
  return {
    files: all,
    notes,
    runner: tfjsRunner(loaded.model, { ...pre, normalization: 'symmetric' }),
    bytesBefore: bytesOf(snapshot),
    bytesAfter: await fileSize(path.join(dir, 'weights.bin')),
  };
}

async function writeOnnx(dir: string, stdModel: tf.LayersModel, opts: LayersExportOptions, notes: string[]): Promise<Written> {
  const pre = opts.preprocessing;
  const quantize = opts.quantize ?? 'none';
  const conversion = layersModelToOnnx(stdModel, {
    quantize,
    inputName: 'input',
    outputName: 'probabilities',
    graphName: opts.modelName,
    docString: `Input: float32 [batch, ${pre.input.size}, ${pre.input.size}, ${pre.input.channels}] NHWC, ${normalizationOf(pre.normalization).formula}. Output: class probabilities in labels.txt order.`,
    metadata: { labels: JSON.stringify(opts.labels), preprocessing: JSON.stringify(pre) },
  });
  const bytes = encodeModel(conversion.model);
  await fsp.writeFile(path.join(dir, 'model.onnx'), bytes);
  const doc = preprocessingJson(pre, opts.labels);
  const all = await writeCommon(dir, doc, { title: opts.modelName, format: 'ONNX (opset 13)', runtime: 'onnx', files: ['model.onnx'], notes, labelsTxt: true });
  const runner = await onnxRunner(path.join(dir, 'model.onnx'), pre);
  if (!runner) notes.push('onnxruntime-node is not installed here, so the ONNX file was not run back for verification.');
  return { files: all, notes, runner, bytesBefore: conversion.weightBytesFloat32, bytesAfter: conversion.weightBytes };
}

export async function exportModel(model: tf.LayersModel, opts: ExportOptions): Promise<ExportResult> {
  const dir = path.resolve(opts.outDir);
  const classes = opts.labels.length;
  const outShape = model.outputs[0].shape;
  if (outShape[outShape.length - 1] !== classes) {
    throw new LabError('EXPORT_FAILED', msg('error.export.outputsMismatch', { outputs: String(outShape[outShape.length - 1]), labels: classes }));
  }
  if (opts.quantize === 'int8' && opts.format !== 'tflite') throw new LabError('BAD_ARGUMENT', msg('deploy.tflite.int8Only', { format: opts.format }));
  if (opts.quantize === 'uint8' && opts.format === 'tflite') throw new LabError('BAD_ARGUMENT', msg('deploy.tflite.noUint8'));
  let labOwned = false;
  if (opts.guard) {
    const real = await assertWritableFolder(opts.guard.ws, dir, { what: msg('guard.exportFolder'), ...(opts.guard.allowInside ? { allowInside: opts.guard.allowInside } : {}) });
    const allowed = await Promise.all((opts.guard.allowInside ?? []).map(realPathLoose));
    labOwned = allowed.some((a) => isInside(real, a));
  }
  await prepareOutDir(dir, { labOwned });
  const notes: string[] = [];
  const { snapshot: std, report } = standardizeSnapshot(model, await snapshotModel(model));
  if (report.replaced.length) {
    notes.push(`${report.replaced.length} ${report.replaced[0].className} layer(s) were written as standard BatchNormalization with the same inference-time scale and shift, so any tfjs/Keras code can load the model.`);
  }
  const quantize = opts.quantize ?? 'none';
  let written: Written;
  const layersOpts = opts as LayersExportOptions;
  if (opts.format === 'tfjs') {
    written = await writeTfjs(dir, std, layersOpts, notes);
  } else {
    const stdModel = await modelFromArtifacts(snapshotArtifacts(std), 'the standardised model');
    if (opts.format === 'tflite') {
      const precision = quantize === 'int8' ? 'int8' : quantize === 'float16' ? 'float16' : 'float32';
      written = await writeTfliteExport(dir, stdModel, { labels: opts.labels, preprocessing: opts.preprocessing, modelName: opts.modelName, precision, ...(opts.calibration ? { calibration: opts.calibration } : {}) }, notes);
    } else {
      written = opts.format === 'teachable-machine' ? await writeTeachableMachine(dir, stdModel, layersOpts, notes) : await writeOnnx(dir, stdModel, layersOpts, notes);
    }
  }
  try {
    await writeExportMarker(dir, opts.format, written.files);

  const source = tfjsRunner(model, opts.preprocessing);
    const result: ExportResult = { format: opts.format, dir, files: written.files };
    if (written.runner) {
      const samples = verifySamples(opts.preprocessing);
      const check = await compareRunners(source, written.runner, randomPixels(samples, opts.preprocessing), samples, opts.preprocessing, classes);
      result.verified = { samples: check.samples, maxAbsDiff: check.maxAbsDiff, sameTop1: check.sameTop1 };
      if (quantize === 'none' && (check.maxAbsDiff > VERIFY_TOLERANCE || !check.sameTop1)) {
        throw new LabError('EXPORT_FAILED', msg('error.export.predictsDifferently', { format: opts.format, dir, diff: check.maxAbsDiff.toExponential(2) }), { maxAbsDiff: check.maxAbsDiff });
      }
    }
    if (quantize !== 'none') {
      const q: QuantizationReport = { mode: quantize, bytesBefore: written.bytesBefore, bytesAfter: written.bytesAfter, ...(written.calibrated ? { calibrated: written.calibrated } : {}) };
      if (opts.evaluation && written.runner) {
        const n = opts.evaluation.labels.length;
        const pixels = Float32Array.from(opts.evaluation.pixels);
        const cmp = await compareRunners(source, written.runner, pixels, n, opts.preprocessing, classes, opts.evaluation.labels);
        Object.assign(q, { evaluated: n, accuracyBefore: cmp.accuracyA, accuracyAfter: cmp.accuracyB, maxProbabilityDiff: cmp.maxAbsDiff, top1Agreement: cmp.top1Agreement });
      }
      result.quantization = q;
    }
    if (written.notes.length) result.notes = written.notes;
    return result;
  } finally {
    await written.close?.();
  }
}
