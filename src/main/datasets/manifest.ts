/**
 * The dataset manifest on disk (workspace/datasets/<id>/manifest.json): every file found, what validation said
 * about it, its class and split. Images are addressed by their index in `items`, never by a path from outside.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetSummary, FileProblem, SampleItem, SplitName } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg, withMsg, type LabMessage } from '../../shared/messages';
import type { Workspace } from '../workspace';
import type { RootLayout, ScanIssue } from './scan';
import type { SplitRatios } from './split';
import type { Reason } from './validate';

export interface ManifestItem {
  path: string;
  root: number;
  /** class used for training: the user's new label, else labelledAs */
  className: string;
  /** class the folder or list gave */
  labelledAs: string;
  /** left out by the user inside the lab (the file is untouched) */
  excludedByUser: boolean;
  split: SplitName;
  fixedSplit: SplitName | null;
  size: number;
  mtimeMs: number;
  /** Device and inode of the file at import (absent in manifests written before they were recorded). */
  dev?: number;
  ino?: number;
  hash: string | null;
  format: string | null;
  width: number | null;
  height: number | null;
  channels: number | null;
  status: SampleItem['status'];
  /** What validation found wrong with the file itself (keeps it out). */
  check: { reason: Reason; message: string; msg?: LabMessage } | null;
  wrongExtension: string | null;
  wrongExtensionMsg?: LabMessage;
  /** Found by comparing with other files: duplicate, label conflict, split leak (keeps it out). */
  relation: { reason: Reason; message: string; msg?: LabMessage; other: number } | null;
}

export interface Manifest {
  version: 1;
  summary: DatasetSummary;
  roots: RootLayout[];
  split: SplitRatios;
  /** Changes whenever any usable image or its status changes: keys the decoded caches. */
  fingerprint: string;
  /** kept so edits can rebuild the summary without scanning again */
  scanIssues: ScanIssue[];
  /** Messages; manifests written before messages existed hold English strings. */
  scanWarnings: (LabMessage | string)[];
  items: ManifestItem[];
}

export const MANIFEST_FILE = 'manifest.json';
export const SUMMARY_FILE = 'summary.json';

/** Same folders (in any order) → same id, so a re-import updates the dataset instead of copying it. */
export function datasetIdFor(paths: string[]): string {
  const abs = [...new Set(paths.map((p) => path.resolve(p)))].sort();
  const digest = createHash('sha1').update(abs.join('\n')).digest('hex').slice(0, 10);
  const slug = path
    .basename(abs[0] ?? 'dataset')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `${slug || 'dataset'}-${digest}`;
}

export function fingerprintOf(items: ManifestItem[]): string {
  const h = createHash('sha1');
  for (const it of items) h.update(`${it.status === 'ok' ? it.hash : '-'}\n`);
  return h.digest('hex');
}

export function manifestPath(ws: Workspace, id: string): string {
  return path.join(ws.datasetDir(id), MANIFEST_FILE);
}

const memo = new Map<string, { mtimeMs: number; manifest: Manifest }>();

/** The manifest, parsed once and kept while the file is unchanged (queries over 100k items stay fast). */
export async function readManifest(ws: Workspace, id: string): Promise<Manifest> {
  let file: string;
  try {
    file = manifestPath(ws, id);
  } catch {
    throw new LabError('BAD_ARGUMENT', msg('error.dataset.badId', { id }));
  }
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(file)).mtimeMs;
  } catch {
    throw new LabError('NOT_FOUND', msg('error.dataset.notFound', { id, root: ws.root }), { datasetId: id });
  }
  const hit = memo.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.manifest;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as Manifest;
  } catch (err) {
    throw new LabError('NOT_FOUND', msg('error.dataset.damaged', { id, detail: (err as Error).message }), { datasetId: id });
  }
  memo.set(file, { mtimeMs, manifest });
  return manifest;
}

export async function tryReadManifest(ws: Workspace, id: string): Promise<Manifest | null> {
  try {
    return await readManifest(ws, id);
  } catch {
    return null;
  }
}

/** Atomic replace: a crash mid-write leaves the previous manifest. */
export async function writeManifest(ws: Workspace, manifest: Manifest): Promise<void> {
  const dir = ws.datasetDir(manifest.summary.id);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, MANIFEST_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(manifest));
  await rename(tmp, file);
  memo.set(file, { mtimeMs: (await stat(file)).mtimeMs, manifest });
  // The summary alone, so listing datasets does not parse every manifest.
  const summaryFile = path.join(dir, SUMMARY_FILE);
  await writeFile(`${summaryFile}.${process.pid}.tmp`, JSON.stringify(manifest.summary));
  await rename(`${summaryFile}.${process.pid}.tmp`, summaryFile);
}

export async function readSummary(ws: Workspace, id: string): Promise<DatasetSummary> {
  try {
    return JSON.parse(await readFile(path.join(ws.datasetDir(id), SUMMARY_FILE), 'utf8')) as DatasetSummary;
  } catch {
    return (await readManifest(ws, id)).summary;
  }
}

export async function removeDatasetDir(ws: Workspace, id: string): Promise<boolean> {
  const dir = ws.datasetDir(id);
  const existed = await stat(dir).then(() => true, () => false);
  memo.delete(path.join(dir, MANIFEST_FILE));
  await rm(dir, { recursive: true, force: true });
  return existed;
}

/** Every problem as the summary lists it: the file's own problem, a wrong extension, its relation to others. */
export function problemsOf(items: ManifestItem[]): FileProblem[] {
  const out: FileProblem[] = [];
  for (const it of items) {
    if (it.check) out.push({ path: it.path, reason: it.check.reason, message: it.check.message, ...withMsg(it.check.msg), excluded: true });
    if (it.wrongExtension) out.push({ path: it.path, reason: 'wrong-extension', message: it.wrongExtension, ...withMsg(it.wrongExtensionMsg), excluded: false });
    if (it.relation) out.push({ path: it.path, reason: it.relation.reason, message: it.relation.message, ...withMsg(it.relation.msg), excluded: true });
  }
  return out;
}
