/**
 * Backbones downloaded on first use: a tfjs layers model (model.json + weight shards) fetched from where it is
 * published, each file checked against its SHA-256, kept in the workspace (backbones/<id>/) and used from there
 * offline afterwards. A download goes into backbones/<id>.partial/ and resumes there (HTTP Range) after a broken
 * connection or a cancel; only a complete, verified set is renamed into place. A file that fails its checksum is
 * deleted. Offline, the error says so and the bundled MobileNetV2 keeps working.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { msg } from '../../shared/messages';
import { LabError } from '../../shared/errors';
import type { Workspace } from '../workspace';

export interface RemoteFile {
  /** path relative to the model.json's folder, e.g. "group1-shard1of2" */
  path: string;
  sha256: string;
  size: number;
}

export interface RemoteBackbone {
  id: string;
  /** URL of the folder holding model.json and its shards (ends with /) */
  baseUrl: string;
  /** model.json first, then every weight shard it names */
  files: RemoteFile[];
}

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

/** Downloads (or resumes) one file into `target`, appending from its current length when the server allows. */
async function fetchFile(spec: RemoteBackbone, f: RemoteFile, target: string, base: number, total: number, o: DownloadOptions): Promise<void> {
  const url = new URL(f.path, spec.baseUrl).toString();
  let have = await sizeOf(target);
  if (have > f.size) {
    await rm(target, { force: true });
    have = 0;
  }
  if (have === f.size) return;
  const doFetch = o.fetch ?? fetch;
  const offline = (detail: string) => new LabError('UNREADABLE', msg('model.download.offline', { id: spec.id, url, detail }), { id: spec.id, url });
  let res: Response;
  try {
    res = await doFetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, ...(o.signal ? { signal: o.signal } : {}) });
  } catch (err) {
    if (o.signal?.aborted) throw new LabError('CANCELLED', msg('model.download.cancelled', { id: spec.id }));
    throw offline((err as Error).message);
  }
  if (res.status !== 200 && res.status !== 206) throw offline(`HTTP ${res.status}`);
  if (res.status === 200 && have > 0) have = 0; // the server ignored the range: start the file again
  const fh = await open(target, have > 0 ? 'a' : 'w');
  try {
    const reader = res.body!.getReader();
    let done = have;
    for (;;) {
      let chunk: { done: true; value?: undefined } | { done: false; value: Uint8Array };
      try {
        chunk = await reader.read();
      } catch (err) {
        if (o.signal?.aborted) throw new LabError('CANCELLED', msg('model.download.cancelled', { id: spec.id }));
        throw offline((err as Error).message);
      }
      if (chunk.done) break;
      await fh.write(chunk.value);
      done += chunk.value.length;
      o.onProgress?.({ id: spec.id, file: f.path, done: base + done, total });
    }
    if (done < f.size) throw offline(`the connection ended after ${done} of ${f.size} bytes`);
  } finally {
    await fh.close();
  }
}

/**
 * The folder of the backbone, downloading and verifying it first when it is not in the workspace yet.
 * Throws UNREADABLE (offline, server error, broken connection: what is downloaded is kept), BAD_MODEL (a file
 * failed its checksum: that file is deleted) or CANCELLED.
 */
export async function ensureBackbone(ws: Workspace, spec: RemoteBackbone, o: DownloadOptions = {}): Promise<string> {
  const dir = downloadedBackboneDir(ws, spec.id);
  if (existsSync(path.join(dir, 'model.json'))) return dir;
  const partial = `${dir}.partial`;
  await mkdir(partial, { recursive: true });
  const total = spec.files.reduce((a, f) => a + f.size, 0);
  let base = 0;
  for (const f of spec.files) {
    if (f.path.includes('..') || path.isAbsolute(f.path)) throw new LabError('BAD_ARGUMENT', msg('model.download.fileOutside', { id: spec.id, file: f.path }));
    const target = path.join(partial, f.path);
    await mkdir(path.dirname(target), { recursive: true });
    await fetchFile(spec, f, target, base, total, o);
    const actual = await sha256(target);
    if (actual !== f.sha256) {
      await rm(target, { force: true });
      throw new LabError('BAD_MODEL', msg('model.download.badChecksum', { id: spec.id, file: f.path, expected: f.sha256.slice(0, 12), actual: actual.slice(0, 12) }), { id: spec.id, file: f.path });
    }
    base += f.size;
  }
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return dir;
}
