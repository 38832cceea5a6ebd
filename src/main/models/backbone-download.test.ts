/**
 * The on-demand backbone downloader against a local HTTP server serving the bundled MobileNetV2 (no test reaches
 * the internet): a complete download that loads, a bad checksum, a connection broken mid-file that resumes with
 * a Range request, a cancel, and the server gone (offline).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { tempWorkspace } from '../datasets/test-fixtures';
import { downloadedBackboneDir, ensureBackbone, type RemoteBackbone } from './backbone-download';
import { backboneDir, loadBackbone } from './transfer-model';

await tf.setBackend('cpu');

const source = backboneDir('builtin:mobilenetv2');
const files = readdirSync(source).filter((f) => f === 'model.json' || f.endsWith('.bin') || /shard/.test(f));
const bytes = new Map(files.map((f) => [f, readFileSync(path.join(source, f))]));
const spec = (baseUrl: string, id = 'mnv2-local'): RemoteBackbone => ({
  id,
  baseUrl,
  files: ['model.json', ...files.filter((f) => f !== 'model.json')].map((f) => ({ path: f, size: statSync(path.join(source, f)).size, sha256: createHash('sha256').update(bytes.get(f)!).digest('hex') })),
});

/** Serves the files; `breakOnce` cuts the first response of that file halfway; every Range request is recorded. */
let breakOnce: string | null = null;
const ranges: string[] = [];
let corrupt: string | null = null;
const server = http.createServer((req, res) => {
  const name = decodeURIComponent((req.url ?? '/').split('/').pop() ?? '');
  const data = bytes.get(name);
  if (!data) {
    res.writeHead(404).end();
    return;
  }
  const body = corrupt === name ? Buffer.concat([data.subarray(0, data.length - 1), Buffer.from([data[data.length - 1]! ^ 0xff])]) : data;
  const range = /bytes=(\d+)-/.exec(String(req.headers.range ?? ''));
  const from = range ? Number(range[1]) : 0;
  if (range) ranges.push(`${name}:${from}`);
  res.writeHead(range ? 206 : 200, { 'content-length': body.length - from, ...(range ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}) });
  if (breakOnce === name) {
    breakOnce = null;
    res.write(body.subarray(from, from + Math.floor((body.length - from) / 2)), () => res.destroy());
    return;
  }
  res.end(body.subarray(from));
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/models/mnv2/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** The error a promise fails with (the test fails if it succeeds). */
const failure = (p: Promise<unknown>): Promise<{ code: string; message: string }> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as { code: string; message: string },
  );

const biggest = [...bytes.entries()].sort((a, b) => b[1].length - a[1].length)[0]![0];

describe('on-demand backbones', () => {
  it('downloads, verifies and caches a backbone that then loads like the bundled one, with progress', async () => {
    const w = tempWorkspace();
    try {
      const seen: number[] = [];
      const dir = await ensureBackbone(w.ws, spec(base), { onProgress: (p) => seen.push(p.done / p.total) });
      expect(dir).toBe(downloadedBackboneDir(w.ws, 'mnv2-local'));
      expect(seen[seen.length - 1]).toBe(1);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      const model = await loadBackbone(dir, 96);
      expect(model.outputs[0]!.shape).toEqual([null, 3, 3, 1280]);
      model.dispose();
      // A second call uses the workspace copy (the server is not asked again).
      const before = ranges.length;
      expect(await ensureBackbone(w.ws, spec('http://127.0.0.1:9/unreachable/'))).toBe(dir);
      expect(ranges.length).toBe(before);
    } finally {
      w.cleanup();
    }
  });

  it('deletes a file that fails its checksum and says so, keeping nothing in place', async () => {
    const w = tempWorkspace();
    try {
      corrupt = biggest;
      const err = await failure(ensureBackbone(w.ws, spec(base)));
      expect(err).toMatchObject({ code: 'BAD_MODEL' });
      expect(err.message).toContain('does not match its published checksum');
      expect(err.message).toContain('bundled MobileNetV2 keeps working');
      expect(existsSync(path.join(downloadedBackboneDir(w.ws, 'mnv2-local'), 'model.json'))).toBe(false);
      expect(existsSync(path.join(`${downloadedBackboneDir(w.ws, 'mnv2-local')}.partial`, biggest))).toBe(false);
    } finally {
      corrupt = null;
      w.cleanup();
    }
  });

  it('keeps what came before a broken connection and resumes it with a Range request', async () => {
    const w = tempWorkspace();
    try {
      breakOnce = biggest;
      const first = await failure(ensureBackbone(w.ws, spec(base)));
      expect(first).toMatchObject({ code: 'UNREADABLE' });
      expect(first.message).toContain('the download resumes');
      const partial = path.join(`${downloadedBackboneDir(w.ws, 'mnv2-local')}.partial`, biggest);
      const kept = statSync(partial).size;
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(bytes.get(biggest)!.length);
      const dir = await ensureBackbone(w.ws, spec(base));
      expect(ranges).toContain(`${biggest}:${kept}`);
      expect(readFileSync(path.join(dir, biggest)).equals(bytes.get(biggest)!)).toBe(true);
    } finally {
      w.cleanup();
    }
  });

  it('says offline clearly when the server cannot be reached, and stops on cancel', async () => {
    const w = tempWorkspace();
    try {
      const off = await failure(ensureBackbone(w.ws, spec('http://127.0.0.1:9/models/')));
      expect(off).toMatchObject({ code: 'UNREADABLE' });
      expect(off.message).toMatch(/could not be downloaded from http:\/\/127\.0\.0\.1:9\/models\/model\.json/);
      expect(off.message).toContain('The bundled MobileNetV2 works offline');
      const ac = new AbortController();
      ac.abort();
      await expect(ensureBackbone(w.ws, spec(base), { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    } finally {
      w.cleanup();
    }
  });
});
