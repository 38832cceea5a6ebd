/**
 * Backbones downloaded on first use: a tfjs layers model (model.json + weight shards) fetched from where it is
 * published (the shards named by its weightsManifest), kept in the workspace (backbones/<id>/) and used from there
 * offline afterwards. A download goes into backbones/<id>.partial/ and resumes there (HTTP Range) after a broken
 * connection or a cancel; only a complete set is renamed into place, with SHA256SUMS pinning every file's checksum.
 * Checksums known in advance are checked on the first download; the pins on every later use and re-download. A
 * file that fails its checksum is deleted. Offline, the error says so and the bundled MobileNetV2 keeps working.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { msg } from '../../shared/messages';
import { LabError } from '../../shared/errors';
import type { Workspace } from '../workspace';

export interface RemoteFile {
  /** path relative to the model.json's folder, e.g. "group1-shard1of2" */
  path: string;
  /** known in advance (a catalogue entry that carries checksums): verified from the first download */
  sha256?: string;
  size?: number;
}

export interface RemoteBackbone {
  id: string;
  /** URL of the folder holding model.json and its shards (ends with /) */
  baseUrl: string;
  /** model.json first, then every weight shard it names; absent: model.json is fetched and its weightsManifest names the shards */
  files?: RemoteFile[];
  /** expected download size, for progress until model.json says how big the weights are */
  approxBytes?: number;
}

/** Written by the lab into backbones/<id>/ on the first complete download: "<sha256>  <file>" per line. */
export const CHECKSUM_FILE = 'SHA256SUMS';

export interface DownloadProgress {
  id: string;
  file: string;
  /** bytes done and expected over all files */
  done: number;
  total: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  fetch?: typeof fetch;
}

export function backbonesDir(ws: Workspace): string {
  return path.join(ws.root, 'backbones');
}

/** Where a downloaded backbone lives once complete (it holds model.json). */
export function downloadedBackboneDir(ws: Workspace, id: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(id)) throw new LabError('BAD_ARGUMENT', msg('model.download.badId', { id }));
  return path.join(backbonesDir(ws), id);
}

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Progress over all files: bytes done and the expected total (grows once model.json says how big the weights are). */
interface Tally {
  done: number;
  total: number;
}

/**
 * Downloads (or resumes) one file into `target`, appending from its current length when the server allows.
 * Without a known size the file is complete when the server sends its end (or answers 416 to a resume from its end).
 */
async function fetchFile(spec: RemoteBackbone, f: RemoteFile, target: string, tally: Tally, o: DownloadOptions): Promise<void> {
  const url = new URL(f.path, spec.baseUrl).toString();
  let have = await sizeOf(target);
  if (f.size !== undefined && have > f.size) {
    await rm(target, { force: true });
    have = 0;
  }
  if (f.size !== undefined && have === f.size) {
    tally.done += have;
    return;
  }
  const doFetch = o.fetch ?? fetch;
  const offline = (detail: string) => new LabError('UNREADABLE', msg('model.download.offline', { id: spec.id, url, detail }), { id: spec.id, url });
  const cancelled = () => new LabError('CANCELLED', msg('model.download.cancelled', { id: spec.id }));
  let res: Response;
  try {
    res = await doFetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, ...(o.signal ? { signal: o.signal } : {}) });
  } catch (err) {
    if (o.signal?.aborted) throw cancelled();
    throw offline((err as Error).message);
  }
  if (res.status === 416 && have > 0) {
    // Nothing after what is here: the file was complete (its checksum decides whether it is right).
    tally.done += have;
    return;
  }
  if (res.status !== 200 && res.status !== 206) throw offline(`HTTP ${res.status}`);
  if (res.status === 200 && have > 0) have = 0; // the server ignored the range: start the file again
  const length = Number(res.headers.get('content-length') ?? NaN);
  const expected = f.size ?? (Number.isFinite(length) ? have + length : undefined);
  const fh = await open(target, have > 0 ? 'a' : 'w');
  const base = tally.done;
  let done = have;
  try {
    const reader = res.body!.getReader();
    for (;;) {
      let chunk: { done: true; value?: undefined } | { done: false; value: Uint8Array };
      try {
        chunk = await reader.read();
      } catch (err) {
        if (o.signal?.aborted) throw cancelled();
        throw offline((err as Error).message);
      }
      if (chunk.done) break;
      await fh.write(chunk.value);
      done += chunk.value.length;
      o.onProgress?.({ id: spec.id, file: f.path, done: base + done, total: Math.max(tally.total, base + done) });
      if (o.signal?.aborted) {
        void reader.cancel().catch(() => undefined);
        throw cancelled();
      }
    }
    if (expected !== undefined && done < expected) throw offline(`the connection ended after ${done} of ${expected} bytes`);
  } finally {
    await fh.close();
    tally.done = base + done;
  }
}

/** SHA256SUMS of a folder: file → checksum (empty when there is none). */
export async function readChecksums(dir: string): Promise<Map<string, string>> {
  const sums = new Map<string, string>();
  let text: string;
  try {
    text = await readFile(path.join(dir, CHECKSUM_FILE), 'utf8');
  } catch {
    return sums;
  }
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set(m[2]!, m[1]!);
  }
  return sums;
}

async function writeChecksums(dir: string, sums: Map<string, string>): Promise<void> {
  const lines = [...sums.entries()].map(([file, hash]) => `${hash}  ${file}\n`).join('');
  await writeFile(path.join(dir, CHECKSUM_FILE), lines);
}

function checkRelative(spec: RemoteBackbone, file: string): void {
  if (file.includes('..') || path.isAbsolute(file) || /^[a-z][a-z0-9+.-]*:/i.test(file) || file === CHECKSUM_FILE) {
    throw new LabError('BAD_ARGUMENT', msg('model.download.fileOutside', { id: spec.id, file }));
  }
}

/** Bytes of the weights a tfjs weightsManifest describes (quantized ones at their stored width). */
function manifestBytes(manifest: { weights?: { shape?: number[]; dtype?: string; quantization?: { dtype?: string } }[] }[]): number {
  const width: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };
  let total = 0;
  for (const group of manifest) {
    for (const w of group.weights ?? []) {
      const n = (w.shape ?? []).reduce((a, b) => a * b, 1);
      total += n * (width[w.quantization?.dtype ?? w.dtype ?? 'float32'] ?? 4);
    }
  }
  return total;
}

/** The shards a downloaded model.json names (and the weights' total size), refusing paths outside its folder. */
async function shardsOf(spec: RemoteBackbone, modelJson: string): Promise<{ files: RemoteFile[]; bytes: number }> {
  const bad = (detail: string) => new LabError('BAD_MODEL', msg('backbone.badModelJson', { id: spec.id, url: new URL('model.json', spec.baseUrl).toString(), detail }));
  let parsed: { modelTopology?: unknown; weightsManifest?: { paths?: unknown }[] };
  try {
    parsed = JSON.parse(await readFile(modelJson, 'utf8')) as typeof parsed;
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (!parsed || typeof parsed !== 'object' || !parsed.modelTopology || !Array.isArray(parsed.weightsManifest)) throw bad('no modelTopology / weightsManifest');
  const files: RemoteFile[] = [];
  for (const group of parsed.weightsManifest) {
    if (!Array.isArray(group.paths)) throw bad('a weightsManifest entry lacks "paths"');
    for (const p of group.paths) {
      if (typeof p !== 'string') throw bad('a weight path is not a string');
      checkRelative(spec, p);
      const rel = path.posix.normalize(p);
      if (!files.some((f) => f.path === rel)) files.push({ path: rel });
    }
  }
  return { files, bytes: manifestBytes(parsed.weightsManifest as Parameters<typeof manifestBytes>[0]) };
}

/**
 * Checks a complete download against its SHA256SUMS. A file that no longer matches (or is gone) is removed, the
 * folder goes back to backbones/<id>.partial/ with its pins (so the next download fetches only what is missing,
 * checked against the same pins), and the error says so.
 */
export async function verifyDownloaded(ws: Workspace, id: string): Promise<void> {
  const dir = downloadedBackboneDir(ws, id);
  const sums = await readChecksums(dir);
  for (const [file, expected] of sums) {
    const target = path.join(dir, file);
    const actual = existsSync(target) ? await sha256(target) : 'missing';
    if (actual === expected) continue;
    await rm(target, { force: true });
    const partial = `${dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    await rename(dir, partial);
    throw new LabError('BAD_MODEL', msg('backbone.pinMismatch', { id, file, expected: expected.slice(0, 12), actual: actual.slice(0, 12) }), { id, file });
  }
}

/**
 * The folder of the backbone, downloading it first when it is not in the workspace yet, and verifying it against
 * the checksums pinned on its first download every time. Throws UNREADABLE (offline, server error, broken
 * connection: what is downloaded is kept), BAD_MODEL (a file failed its checksum: that file is deleted) or CANCELLED.
 */
export async function ensureBackbone(ws: Workspace, spec: RemoteBackbone, o: DownloadOptions = {}): Promise<string> {
  const dir = downloadedBackboneDir(ws, spec.id);
  if (existsSync(path.join(dir, 'model.json'))) {
    await verifyDownloaded(ws, spec.id);
    return dir;
  }
  const partial = `${dir}.partial`;
  await mkdir(partial, { recursive: true });
  // Pins from an earlier complete download (a file since refused) come first, then checksums the entry carries.
  const pinned = await readChecksums(partial);
  const known = new Map((spec.files ?? []).filter((f) => f.sha256).map((f) => [f.path, f.sha256!]));
  const sums = new Map<string, string>();
  const tally: Tally = { done: 0, total: (spec.files ?? []).reduce((a, f) => a + (f.size ?? 0), 0) || (spec.approxBytes ?? 0) };

  const get = async (f: RemoteFile): Promise<void> => {
    checkRelative(spec, f.path);
    const target = path.join(partial, f.path);
    await mkdir(path.dirname(target), { recursive: true });
    await fetchFile(spec, f, target, tally, o);
    const actual = await sha256(target);
    const pin = pinned.get(f.path);
    const expected = pin ?? known.get(f.path);
    if (expected !== undefined && actual !== expected) {
      await rm(target, { force: true });
      const args = { id: spec.id, file: f.path, expected: expected.slice(0, 12), actual: actual.slice(0, 12) };
      throw new LabError('BAD_MODEL', pin ? msg('backbone.changedUpstream', { ...args, dir }) : msg('model.download.badChecksum', args), { id: spec.id, file: f.path });
    }
    sums.set(f.path, actual);
  };

  const listed = spec.files ?? [{ path: 'model.json' }];
  const first = listed[0]!;
  await get(first);
  let rest = listed.slice(1);
  if (!spec.files) {
    const target = path.join(partial, 'model.json');
    try {
      const shards = await shardsOf(spec, target);
      rest = shards.files;
      tally.total = tally.done + shards.bytes;
    } catch (err) {
      await rm(target, { force: true });
      throw err;
    }
  }
  for (const f of rest) await get(f);
  await writeChecksums(partial, sums);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return dir;
}
