/**
 * Bring an exported model back into the lab: the lab's own tfjs exports (model.json + labels.txt +
 * preprocessing.json) and Teachable Machine image exports (model.json + weights.bin + metadata.json).
 * Every missing or damaged file is named in the error.
 */
import * as tf from '@tensorflow/tfjs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputConfigSchema } from '../../shared/config';
import type { Preprocessing } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { describeIssues } from '../../shared/validation';
import '../models/layers/seed-batch-norm'; // a run's own model/ folder may hold the seed-exact batch norm
import { withInputAffine } from './input-adapter';
import { modelFromArtifacts, readJsonFile, readLayersModel } from './layers-artifacts';

export interface LoadedModel {
  model: tf.LayersModel;
  labels: string[];
  preprocessing: Preprocessing;
  kind: 'tfjs' | 'teachable-machine';
}

const PreprocessingSchema = z.object({
  input: InputConfigSchema,
  normalization: z.enum(['unit', 'symmetric']),
  channelOrder: z.enum(['RGB', 'L']),
  layout: z.literal('NHWC'),
});

const TmMetadataSchema = z.object({
  labels: z.array(z.string(), 'needs "labels": the class names in output order').min(1, 'needs at least one label'),
  imageSize: z.number().int().positive().optional(),
  grayscale: z.boolean().optional(),
  modelName: z.string().optional(),
});

/** Teachable Machine feeds pixel/127 − 1; the lab's "symmetric" is pixel/127.5 − 1. An adapter in front bridges the two exactly. */
export const LAB_TO_TM = { scale: 127.5 / 127, shift: 127.5 / 127 - 1 };

async function exists(file: string): Promise<boolean> {
  return fsp.access(file).then(
    () => true,
    () => false,
  );
}

async function readLabelsTxt(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    throw new LabError('NOT_FOUND', msg('model.import.noLabels', { file }), { path: file });
  }
  const labels = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (!labels.length) throw new LabError('BAD_MODEL', msg('model.import.emptyLabels', { file }), { path: file });
  return labels;
}

function outputUnits(model: tf.LayersModel): number | null {
  const shape = model.outputs[0]?.shape;
  return shape ? (shape[shape.length - 1] ?? null) : null;
}

export async function loadExportedModel(dir: string): Promise<LoadedModel> {
  const abs = path.resolve(dir);
  const stat = await fsp.stat(abs).catch(() => null);
  if (!stat) throw new LabError('NOT_FOUND', msg('model.import.noFolder', { path: abs }), { path: abs });
  if (!stat.isDirectory()) throw new LabError('BAD_ARGUMENT', msg('model.import.isFile', { path: abs }), { path: abs });
  const modelFile = path.join(abs, 'model.json');
  if (!(await exists(modelFile))) {
    if (await exists(path.join(abs, 'model.onnx'))) {
      throw new LabError('BAD_MODEL', msg('model.import.onnx', { path: abs }), { path: abs });
    }
    throw new LabError('NOT_FOUND', msg('model.import.noModelJson', { path: abs }), { path: modelFile });
  }
  const metadataFile = path.join(abs, 'metadata.json');
  if (await exists(metadataFile)) return loadTeachableMachine(abs, metadataFile);

  const preFile = path.join(abs, 'preprocessing.json');
  if (!(await exists(preFile))) {
    throw new LabError('NOT_FOUND', msg('model.import.noPreprocessing', { file: preFile }), { path: preFile });
  }
  const doc = (await readJsonFile(preFile, 'preprocessing.json')) as { lab?: unknown };
  const parsed = PreprocessingSchema.safeParse(doc?.lab);
  if (!parsed.success) {
    throw new LabError('BAD_MODEL', msg('model.import.badPreprocessing', { file: preFile, issues: describeIssues(parsed.error.issues) }), { path: preFile });
  }
  const labels = await readLabelsTxt(path.join(abs, 'labels.txt'));
  const { artifacts } = await readLayersModel(abs);
  const model = await modelFromArtifacts(artifacts, modelFile);
  checkUnits(model, labels.length, path.join(abs, 'labels.txt'));
  return { model, labels, preprocessing: parsed.data, kind: 'tfjs' };
}

function checkUnits(model: tf.LayersModel, count: number, labelsFile: string): void {
  const units = outputUnits(model);
  if (units !== null && units !== count) {
    throw new LabError('BAD_MODEL', msg('model.import.labelCount', { file: labelsFile, count, units }), { path: labelsFile });
  }
}

async function loadTeachableMachine(dir: string, metadataFile: string): Promise<LoadedModel> {
  const raw = await readJsonFile(metadataFile, 'metadata.json');
  const parsed = TmMetadataSchema.safeParse(raw);
  if (!parsed.success) {
    throw new LabError('BAD_MODEL', msg('model.import.badMetadata', { file: metadataFile, issues: describeIssues(parsed.error.issues) }), { path: metadataFile });
  }
  const meta = parsed.data;
  const { artifacts } = await readLayersModel(dir);
  const tmModel = await modelFromArtifacts(artifacts, path.join(dir, 'model.json'));
  checkUnits(tmModel, meta.labels.length, metadataFile);
  const shape = tmModel.inputs[0].shape;
  const size = meta.imageSize ?? shape[1] ?? 224;
  const channels = (shape[3] ?? (meta.grayscale ? 1 : 3)) as 1 | 3;
  if (shape[1] !== null && shape[1] !== size) {
    throw new LabError('BAD_MODEL', msg('model.import.sizeMismatch', { size, file: path.join(dir, 'model.json'), height: String(shape[1]), width: String(shape[2]) }), { path: metadataFile });
  }
  const model = withInputAffine(tmModel, LAB_TO_TM.scale, LAB_TO_TM.shift, 'tm_input_adapter');
  return {
    model,
    labels: meta.labels,
    // Teachable Machine crops the centre square, then resizes.
    preprocessing: { input: { size, channels, fit: 'crop' }, normalization: 'symmetric', channelOrder: channels === 3 ? 'RGB' : 'L', layout: 'NHWC' },
    kind: 'teachable-machine',
  };
}
