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
import type { Preprocessing } from '../../shared/dto';
import { channelMean } from '../augment/dataset-mean';
import type { ImageArray } from '../datasets/image-array';
import { buildModel, preprocessingFor, resourcesDir, saveModelToDir } from '../models';
import { lossWeightsFor } from '../training/class-balance';

export const JOB_DIR = 'torch-job';
export const JOB_FILE = 'job.json';
export const JOB_VERSION = 1;

export interface JobSplitFiles {
  x: string;
  y: string;
  /** int32 manifest index per row: augmentation is seeded by (seed, epoch, image id), as in the lab. */
  ids: string;
  count: number;
}

export interface JobFile {
  version: number;
  config: TrainConfig;
  classes: string[];
  inputShape: [number, number, number];
  /** The lab's Preprocessing: normalization unit is x/255, symmetric x/127.5 − 1 (training/input.ts). */
  preprocessing: Preprocessing;
  /** Mean colour of the training split in [0,1] (random erasing fills with it, as the lab's augmentation does). */
  datasetMean: number[];
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

/** Int32Array's bytes are the machine's order: little-endian on every platform Node runs on. */
async function writeInt32(file: string, values: Int32Array, n: number): Promise<void> {
  const copy = new Int32Array(n);
  copy.set(values.subarray(0, n));
  await writeFile(file, new Uint8Array(copy.buffer));
}

async function writeSplit(dataDir: string, name: 'train' | 'val', split: ImageArray): Promise<JobSplitFiles> {
  const rowBytes = split.size * split.size * split.channels;
  await writeFile(path.join(dataDir, `${name}-x.u8`), split.x.subarray(0, split.n * rowBytes));
  await writeInt32(path.join(dataDir, `${name}-y.i32`), split.y, split.n);
  await writeInt32(path.join(dataDir, `${name}-ids.i32`), split.index, split.n);
  return { x: `data/${name}-x.u8`, y: `data/${name}-y.i32`, ids: `data/${name}-ids.i32`, count: split.n };
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
    preprocessing: preprocessingFor(config),
    datasetMean: channelMean(train),
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
