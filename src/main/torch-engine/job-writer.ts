/**
 * Writes a run's experiment as a self-contained PyTorch job folder (<runDir>/torch-job, see
 * /docs/SCALE-OUT.md): the labjob package, job.json (the run's config, classes, preprocessing, data files,
 * class weights, the initial model), the decoded uint8 pixels and int32 labels of each split, and the lab's
 * model built from the config with its initial weights, in tfjs layers format. Nothing outside the folder is
 * needed, so it can be copied to a GPU machine or a cluster as it is.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrainConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import type { ImageArray } from '../datasets/image-array';
import { buildModel, preprocessingFor, resourcesDir, saveModelToDir } from '../models';
import { lossWeightsFor } from '../training/class-balance';

export const JOB_DIR = 'torch-job';
export const JOB_FILE = 'job.json';
export const JOB_VERSION = 1;

export interface JobSplitFiles {
  x: string;
  y: string;
  count: number;
}

export interface JobFile {
  version: number;
  config: TrainConfig;
  classes: string[];
  inputShape: [number, number, number];
  /** x = u8 / divisor * 1 + offset: exactly what training/input.ts does (unit: /255; symmetric: /127.5 − 1). */
  preprocessing: { normalization: 'unit' | 'symmetric'; scale: number; offset: number; divisor: number };
  data: { train: JobSplitFiles; val: JobSplitFiles | null };
  classWeights: number[] | null;
  oversample: boolean;
  model: string;
  seed: number;
}

export function jobDirOf(runDir: string): string {
  return path.join(runDir, JOB_DIR);
}

/** The labjob Python package shipped with the lab (resources/torch-job/labjob); LAB_TORCH_JOB_PACKAGE overrides it. */
export function labjobSource(): string {
  const dir = process.env.LAB_TORCH_JOB_PACKAGE ?? path.join(resourcesDir(), 'torch-job', 'labjob');
  if (!existsSync(path.join(dir, '__main__.py'))) throw new LabError('NOT_FOUND', msg('torch.noPackage', { dir }));
  return dir;
}

function preprocessingData(config: TrainConfig): JobFile['preprocessing'] {
  const { normalization } = preprocessingFor(config);
  return normalization === 'unit' ? { normalization, scale: 1 / 255, offset: 0, divisor: 255 } : { normalization, scale: 1 / 127.5, offset: -1, divisor: 127.5 };
}

async function writeSplit(dataDir: string, name: 'train' | 'val', split: ImageArray): Promise<JobSplitFiles> {
  const rowBytes = split.size * split.size * split.channels;
  await writeFile(path.join(dataDir, `${name}-x.u8`), split.x.subarray(0, split.n * rowBytes));
  const y = new Int32Array(split.n);
  y.set(split.y.subarray(0, split.n));
  // Int32Array's bytes are the machine's order: little-endian on every platform Node runs on.
  await writeFile(path.join(dataDir, `${name}-y.i32`), new Uint8Array(y.buffer));
  return { x: `data/${name}-x.u8`, y: `data/${name}-y.i32`, count: split.n };
}

export interface WriteJobOptions {
  runDir: string;
  config: TrainConfig;
  train: ImageArray;
  val: ImageArray | null;
}

/**
 * Writes (or rewrites) the job folder. Written beside it and renamed into place, so a folder a cluster copies
 * is never half written; a checkpoint (ckpt/) already in the folder is kept, for --resume.
 */
export async function writeJob(opts: WriteJobOptions): Promise<string> {
  const { runDir, config, train, val } = opts;
  const jobDir = jobDirOf(runDir);
  const tmp = `${jobDir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(path.join(tmp, 'data'), { recursive: true });
  await cp(labjobSource(), path.join(tmp, 'labjob'), { recursive: true, filter: (src) => !src.includes('__pycache__') });
  const classes = train.classes;
  const model = await buildModel(config, classes.length);
  try {
    await saveModelToDir(model, path.join(tmp, 'model-init'));
  } finally {
    model.dispose();
  }
  const job: JobFile = {
    version: JOB_VERSION,
    config,
    classes,
    inputShape: [config.input.size, config.input.size, config.input.channels],
    preprocessing: preprocessingData(config),
    data: { train: await writeSplit(path.join(tmp, 'data'), 'train', train), val: val && val.n > 0 ? await writeSplit(path.join(tmp, 'data'), 'val', val) : null },
    classWeights: lossWeightsFor(config.balance, train.y, train.n, classes.length),
    oversample: config.balance === 'oversample',
    model: 'model-init/model.json',
    seed: config.seed,
  };
  await writeFile(path.join(tmp, JOB_FILE), JSON.stringify(job, null, 2));
  // Keep what a previous launch produced (checkpoints to resume from, outputs) across the rewrite.
  for (const keep of ['ckpt', 'out']) {
    if (existsSync(path.join(jobDir, keep))) await rename(path.join(jobDir, keep), path.join(tmp, keep));
  }
  await rm(jobDir, { recursive: true, force: true });
  await rename(tmp, jobDir);
  return jobDir;
}
