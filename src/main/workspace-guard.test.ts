/**
 * Exports and augmented copies never write into, delete or overwrite the user's files: a dataset folder (also
 * through a symlink), the workspace, a non-empty folder the lab did not write, and /proc are all refused with a
 * clear message, and every byte of the user's folders stays as it was.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../shared/config';
import { ExportRequestSchema } from '../shared/contract';
import { importDataset } from './datasets/import';
import { distinct, put, tempDir, treeFingerprint } from './datasets/test-fixtures';
import { colourModel } from './export/test-support/tiny-models';
import { createRun, saveModel } from './runs';
import { augmentHandlers } from './service/handlers/augment';
import { exportHandlers } from './service/handlers/export';
import { openWorkspace, type Workspace } from './workspace';
import { makeFolder, realPathLoose } from './workspace-guard';

const tmp = tempDir('lab-guard-');
let ws: Workspace;
let datasetRoot: string;
let datasetId: string;
let runId: string;
let h: ReturnType<typeof exportHandlers>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  ws = openWorkspace(path.join(tmp.dir, 'home'));
  datasetRoot = path.join(tmp.dir, 'photos');
  for (const [c, name] of ['red', 'green', 'blue'].entries()) {
    for (let i = 0; i < 3; i++) await put(path.join(datasetRoot, name, `${i}.png`), await distinct(c, i));
  }
  // Files beside the class folders that an export would have overwritten or deleted.
  writeFileSync(path.join(datasetRoot, 'README.md'), '# my photos\n');
  writeFileSync(path.join(datasetRoot, 'labels.txt'), 'red\ngreen\nblue\n');
  writeFileSync(path.join(datasetRoot, 'metadata.json'), '{"mine":true}\n');
  datasetId = (await importDataset(ws, { paths: [datasetRoot] })).id;
  const config = TrainConfigSchema.parse({ datasetId, name: 'colour run', input: { size: 8, channels: 3, fit: 'squash' } });
  const run = await createRun(ws, config, { datasetName: 'photos', classes: ['red', 'green', 'blue'], backend: 'cpu', datasetFingerprint: 'x' });
  runId = run.id;
  await saveModel(ws.runDir(run.id), colourModel());
  h = exportHandlers({ ws, emit: () => {}, shell: 'cli', version: 'test' });
});
afterAll(() => tmp.cleanup());

const exportTo = (outDir: string, format: 'tfjs' | 'onnx' | 'teachable-machine' = 'tfjs') => h['runs.export'](ExportRequestSchema.parse({ runId, format, outDir }));

describe('export refuses folders that are not its to write', () => {
  it('refuses the dataset folder, a symlink to it and a folder inside it, leaving every byte identical', async () => {
    const before = treeFingerprint(datasetRoot);
    const link = path.join(tmp.dir, 'link-to-photos');
    symlinkSync(datasetRoot, link);
    await expect(exportTo(datasetRoot)).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/is the imported image folder .*never writes into your image folders/) });
    await expect(exportTo(link)).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/leads there through a link\) is the imported image folder/) });
    await expect(exportTo(path.join(link, 'red', 'export'))).rejects.toMatchObject({ message: expect.stringMatching(/lies inside the imported image folder/) });
    await expect(exportTo(tmp.dir)).rejects.toMatchObject({ message: expect.stringMatching(/contains the imported image folder/) });
    await expect(exportTo(datasetRoot, 'teachable-machine')).rejects.toThrow(/never writes into your image folders/);
    expect(treeFingerprint(datasetRoot)).toEqual(before);
    expect(readFileSync(path.join(datasetRoot, 'metadata.json'), 'utf8')).toBe('{"mine":true}\n');
  });

  it("refuses the lab's own workspace internals (also through a link) but writes the run's default export folder", async () => {
    await expect(exportTo(path.join(ws.datasets, datasetId))).rejects.toThrow(/inside \(or contains\) the lab's own workspace/);
    const link = path.join(tmp.dir, 'link-to-home');
    symlinkSync(ws.root, link);
    await expect(exportTo(path.join(link, 'runs', 'x'))).rejects.toThrow(/lab's own workspace/);
    const def = await h['runs.export'](ExportRequestSchema.parse({ runId, format: 'tfjs' }));
    expect(def.dir).toBe(path.join(ws.runDir(runId), 'export', 'tfjs'));
    await h['runs.export'](ExportRequestSchema.parse({ runId, format: 'tfjs' })); // again: replaces its own files
  });

  it('refuses a non-empty folder the lab did not write, and never touches its files', async () => {
    const mine = path.join(tmp.dir, 'my-project');
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'README.md'), 'my notes');
    writeFileSync(path.join(mine, 'model.json'), '{"my":"model"}');
    const before = treeFingerprint(mine);
    await expect(exportTo(mine)).rejects.toThrow(/is not empty and holds no export written by the lab/);
    expect(treeFingerprint(mine)).toEqual(before);
  });

  it('re-exports into its own earlier export, replacing only the files it listed, and keeps the files a user added', async () => {
    const out = path.join(tmp.dir, 'exports', 'tfjs');
    const first = await exportTo(out);
    expect(first.files).toContain('model.json');
    const marker = JSON.parse(readFileSync(path.join(out, '.lab-export.json'), 'utf8')) as { files: string[] };
    expect(marker.files).toEqual(first.files);
    writeFileSync(path.join(out, 'notes.txt'), 'keep me');
    await exportTo(out);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('keep me');
    // A file of an export's name the lab did not write (metadata.json is not part of a tfjs export): refused, untouched.
    writeFileSync(path.join(out, 'metadata.json'), 'user metadata');
    const before = treeFingerprint(out);
    await expect(exportTo(out, 'teachable-machine')).rejects.toThrow(/holds metadata.json, which the lab did not write there/);
    expect(treeFingerprint(out)).toEqual(before);
    // A marker that lists a path outside the folder is ignored for that path.
    const outside = path.join(tmp.dir, 'outside.txt');
    writeFileSync(outside, 'outside');
    writeFileSync(path.join(out, '.lab-export.json'), JSON.stringify({ writtenBy: 'image-classification-lab', format: 'tfjs', files: ['../outside.txt', outside, 'model.json'] }));
    await expect(exportTo(out)).rejects.toThrow(/did not write there/);
    expect(readFileSync(outside, 'utf8')).toBe('outside');
  });

  it('gives a clear error for a folder that cannot be created, such as /proc/x (instead of hanging)', async () => {
    const started = Date.now();
    await expect(makeFolder('/proc/lab-test/x', 'Export folder')).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/Export folder: the folder \/proc\/lab-test cannot be created \(ENOENT\)/) });
    await expect(exportTo('/proc/lab-test')).rejects.toThrow(/cannot be created/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('resolves the real path of a folder that does not exist yet through its nearest existing ancestor', async () => {
    const link = path.join(tmp.dir, 'link-to-photos-2');
    symlinkSync(datasetRoot, link);
    expect(await realPathLoose(path.join(link, 'new', 'deeper'))).toBe(path.join(datasetRoot, 'new', 'deeper'));
  });
});

describe('augment.writeCopies refuses the dataset through a symlink', () => {
  it('refuses <symlink to dataset>/aug and the workspace, writing nothing into the dataset', async () => {
    const a = augmentHandlers({ ws, emit: () => {}, shell: 'cli', version: 'test' });
    const before = treeFingerprint(datasetRoot);
    const link = path.join(tmp.dir, 'aug-link');
    symlinkSync(datasetRoot, link);
    const req = { datasetId, config: { preset: 'standard' as const }, copies: 1, size: 8, channels: 3 as const, seed: 1, split: 'all' as const };
    await expect(a['augment.writeCopies']({ ...req, outDir: path.join(link, 'aug') })).rejects.toThrow(/lies inside the imported image folder .*never writes into your image folders/);
    await expect(a['augment.writeCopies']({ ...req, outDir: path.join(ws.root, 'aug') })).rejects.toThrow(/lab's own workspace/);
    expect(treeFingerprint(datasetRoot)).toEqual(before);
    expect(existsSync(path.join(datasetRoot, 'aug'))).toBe(false);
    // A file already there is never overwritten.
    const out = path.join(tmp.dir, 'aug-out');
    expect((await a['augment.writeCopies']({ ...req, outDir: out })).files).toBe(9);
    const copy = path.join(out, 'red', readdirSync(path.join(out, 'red'))[0]!);
    writeFileSync(copy, 'mine now');
    await expect(a['augment.writeCopies']({ ...req, outDir: out })).rejects.toThrow(/already exists, and the lab never overwrites a file/);
    expect(readFileSync(copy, 'utf8')).toBe('mine now');
  });
});
