/**
 * Catalogue backbones (`catalog:<id>`) against a local HTTP server that publishes the bundled MobileNetV2 the way
 * the real ones are published (model.json naming its shards; no checksums known in advance): the first download
 * pins SHA256SUMS, later uses run offline and are checked against it, a tampered file is refused and removed, a
 * cancel keeps what came and the next fetch resumes it, offline says so while the bundled backbone still trains,
 * and a run with model.backbone "catalog:<id>" downloads it first and trains. `lab backbones` lists the entries.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { TrainConfigSchema, type TrainConfig } from '../../shared/config';
import type { LabEvent } from '../../shared/events';
import { distinct, put, tempDir, tempWorkspace } from '../datasets/test-fixtures';
import { createRun } from '../runs';
import { datasetHandlers } from '../service/handlers/datasets';
import { PauseGate } from '../worker/pause-gate';
import { runTrainJob } from '../worker/jobs';
import type { Workspace } from '../workspace';
import { CHECKSUM_FILE, downloadedBackboneDir, readChecksums } from './backbone-download';
import { fetchCatalogBackbone, listBackbones, resolveCatalogBackbone, userCatalogFile } from './backbone-library';
import { buildModel } from './index';
import { backboneDir, loadBackbone } from './transfer-model';
import { runCli } from '../cli/test-support';

await tf.setBackend('cpu');

const source = backboneDir('builtin:mobilenetv2');
const files = readdirSync(source).filter((f) => f === 'model.json' || f.endsWith('.bin'));
const bytes = new Map(files.map((f) => [f, readFileSync(path.join(source, f))]));
const weights = files.find((f) => f.endsWith('.bin'))!;
const hash = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** What the server does differently: serve other bytes for a file, or hold a file's response after its first part. */
const served = new Map<string, Buffer>();
let hold: string | null = null;
const requests: string[] = [];
const server = http.createServer((req, res) => {
  const name = decodeURIComponent((req.url ?? '/').split('/').pop() ?? '');
  const body = served.get(name) ?? bytes.get(name);
  if (!body) return void res.writeHead(404).end();
  const range = /bytes=(\d+)-/.exec(String(req.headers.range ?? ''));
  const from = range ? Number(range[1]) : 0;
  requests.push(`${name}:${from}`);
  if (from >= body.length && range) return void res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
  res.writeHead(range ? 206 : 200, { 'content-length': body.length - from, ...(range ? { 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}) });
  if (hold === name) {
    res.write(body.subarray(from, from + 65536)); // then nothing until the client gives up
    req.on('close', () => res.destroy());
    return;
  }
  res.end(body.subarray(from));
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/published/mnv2/`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const cleanups: (() => void)[] = [];
afterEach(() => {
  served.clear();
  hold = null;
  while (cleanups.length) cleanups.pop()!();
});

/** A workspace whose backbones/catalog.json lists the local server's model (as a user adds a published model). */
function workspace(url = base, id = 'local-mnv2'): Workspace {
  const w = tempWorkspace();
  cleanups.push(w.cleanup);
  catalog(w.ws, url, id);
  return w.ws;
}
function catalog(ws: Workspace, url: string, id = 'local-mnv2'): void {
  mkdirSync(path.dirname(userCatalogFile(ws)), { recursive: true });
  writeFileSync(userCatalogFile(ws), JSON.stringify({ entries: [{ id, name: { en: 'Local MobileNetV2', 'zh-CN': '本地 MobileNetV2' }, url: `${url}model.json`, defaultCut: 'out_relu' }] }));
}

const transfer = (backbone: string): TrainConfig =>
  TrainConfigSchema.parse({ datasetId: 'd', input: { size: 32, channels: 3 }, model: { kind: 'transfer', backbone }, epochs: 1, batchSize: 4, earlyStopping: { enabled: false } });

const failure = (p: Promise<unknown>): Promise<{ code: string; message: string }> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as { code: string; message: string },
  );

describe('catalogue backbones', () => {
  it('resolves catalog:<id> by downloading it once (pinning SHA256SUMS), then uses it offline', async () => {
    const ws = workspace();
    const seen: number[] = [];
    const config = await resolveCatalogBackbone(ws, transfer('catalog:local-mnv2'), { onProgress: (p) => seen.push(p.done / p.total) });
    const dir = downloadedBackboneDir(ws, 'local-mnv2');
    expect(config.model).toMatchObject({ kind: 'transfer', backbone: dir, cutLayer: 'out_relu', inputNormalization: 'symmetric' });
    expect(seen.at(-1)).toBe(1);
    // The pins are the published files' checksums; the download is the same bytes.
    const pins = await readChecksums(dir);
    expect(Object.fromEntries(pins)).toEqual(Object.fromEntries(files.map((f) => [f, hash(bytes.get(f)!)])));
    expect((await listBackbones(ws)).find((b) => b.backbone === 'catalog:local-mnv2')?.state).toBe('downloaded');
    const model = await loadBackbone(dir, 32);
    expect(model.outputs[0]!.shape).toEqual([null, 1, 1, 1280]);
    model.dispose();

    // Offline now: the entry points nowhere reachable, and the second use asks no server.
    catalog(ws, 'http://127.0.0.1:9/gone/');
    const before = requests.length;
    const again = await resolveCatalogBackbone(ws, transfer('catalog:local-mnv2'));
    expect((again.model as { backbone: string }).backbone).toBe(dir);
    expect(requests.length).toBe(before);
  });

  it('refuses a downloaded file that no longer matches its pinned checksum, removes it, and re-downloads against the pin', async () => {
    const ws = workspace();
    const dir = await fetchCatalogBackbone(ws, 'local-mnv2');
    const tampered = Buffer.from(bytes.get(weights)!);
    tampered[100] = tampered[100]! ^ 0xff;
    writeFileSync(path.join(dir, weights), tampered);

    const err = await failure(resolveCatalogBackbone(ws, transfer('catalog:local-mnv2')));
    expect(err.code).toBe('BAD_MODEL');
    expect(err.message).toContain(`The file ${weights} of the backbone "local-mnv2" does not match the checksum the lab recorded`);
    expect(err.message).toContain('bundled MobileNetV2 keeps working');
    expect(existsSync(path.join(`${dir}.partial`, weights))).toBe(false);
    expect((await listBackbones(ws)).find((b) => b.id === 'local-mnv2')?.state).toBe('partial');

    // The publisher now serves something else: the pin refuses it too.
    served.set(weights, tampered);
    const changed = await failure(fetchCatalogBackbone(ws, 'local-mnv2'));
    expect(changed).toMatchObject({ code: 'BAD_MODEL' });
    expect(changed.message).toContain('differs from the one first downloaded');
    // The right bytes again: only the missing file is fetched, and it matches the pin.
    served.clear();
    const mark = requests.length;
    await fetchCatalogBackbone(ws, 'local-mnv2');
    expect(requests.slice(mark).filter((r) => r.startsWith(weights))).toEqual([`${weights}:0`]);
    expect(readFileSync(path.join(dir, weights)).equals(bytes.get(weights)!)).toBe(true);
  });

  it('cancelled mid-way keeps what came; the next fetch resumes it with a Range request and completes', async () => {
    const ws = workspace();
    hold = weights;
    const ac = new AbortController();
    const err = await failure(
      fetchCatalogBackbone(ws, 'local-mnv2', {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.file === weights) ac.abort();
        },
      }),
    );
    expect(err.code).toBe('CANCELLED');
    expect(err.message).toContain('the part already downloaded is kept');
    const partial = path.join(`${downloadedBackboneDir(ws, 'local-mnv2')}.partial`, weights);
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(bytes.get(weights)!.length);

    hold = null;
    const dir = await fetchCatalogBackbone(ws, 'local-mnv2');
    expect(requests).toContain(`${weights}:${kept}`);
    expect(readFileSync(path.join(dir, weights)).equals(bytes.get(weights)!)).toBe(true);
    expect(readFileSync(path.join(dir, CHECKSUM_FILE), 'utf8')).toContain(`${hash(bytes.get(weights)!)}  ${weights}`);
  });

  it('offline: a clear message, nothing pinned, and the bundled MobileNetV2 still trains', async () => {
    const ws = workspace('http://127.0.0.1:9/published/');
    const err = await failure(resolveCatalogBackbone(ws, transfer('catalog:local-mnv2')));
    expect(err.code).toBe('UNREADABLE');
    expect(err.message).toContain('could not be downloaded from http://127.0.0.1:9/published/model.json');
    expect(err.message).toContain('The bundled MobileNetV2 works offline');
    expect(existsSync(path.join(downloadedBackboneDir(ws, 'local-mnv2'), CHECKSUM_FILE))).toBe(false);
    expect((await listBackbones(ws)).find((b) => b.id === 'local-mnv2')?.state).toBe('missing');
    // An id nobody catalogued names the known ones.
    await expect(resolveCatalogBackbone(ws, transfer('catalog:nope'))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('mobilenet-v1-0.25-224') });

    const model = await buildModel(TrainConfigSchema.parse({ ...transfer('builtin:mobilenetv2'), model: { kind: 'transfer' } }), 2);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const x = tf.randomUniform([4, 32, 32, 3], -1, 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1], 'int32'), 2);
    const h = await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Number.isFinite(h.history['loss']![0] as number)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('a run with model.backbone "catalog:<id>" downloads it first (progress in the run log; Stop cancels, the next start resumes) and trains', async () => {
    const ws = workspace();
    const data = tempDir('catalog-run');
    cleanups.push(data.cleanup);
    for (let i = 0; i < 6; i++) {
      await put(path.join(data.dir, 'a', `${i}.png`), await distinct(0, i));
      await put(path.join(data.dir, 'b', `${i}.png`), await distinct(1, i));
    }
    const ctx = { ws, emit: () => {}, shell: 'cli' as const, version: 'test' };
    const dataset = await datasetHandlers(ctx)['datasets.import']({ paths: [data.dir], split: { val: 0.25, test: 0.25, seed: 1 } });
    const config = TrainConfigSchema.parse({ ...transfer('catalog:local-mnv2'), datasetId: dataset.id });
    const run = await createRun(ws, config, { datasetName: 'Toys', classes: dataset.classes.map((c) => c.name), backend: 'cpu', datasetFingerprint: 'x' });
    vi.stubEnv('LAB_BACKEND', 'cpu');
    cleanups.push(() => vi.unstubAllEnvs());
    // Stop while the backbone downloads: the run ends stopped, and what came is kept for the next start.
    hold = weights;
    const stop = new AbortController();
    const first: LabEvent[] = [];
    const mark = requests.length;
    const emitFirst = (e: LabEvent): void => {
      first.push(e);
      // Once the weights are coming (after model.json), the person presses Stop.
      if (e.type === 'run.log' && / downloaded\.$/.test(e.message) && requests.slice(mark).some((r) => r.startsWith(weights))) stop.abort();
    };
    await runTrainJob(ws, run.id, config, false, { emit: emitFirst, signal: stop.signal, gate: new PauseGate() });
    expect(first.filter((e) => e.type === 'run.status').at(-1)).toMatchObject({ status: 'stopped', message: expect.stringContaining('was cancelled') });
    const kept = statSync(path.join(`${downloadedBackboneDir(ws, 'local-mnv2')}.partial`, weights)).size;
    expect(kept).toBeGreaterThan(0);
    hold = null;

    const events: LabEvent[] = [];
    await runTrainJob(ws, run.id, config, true, { emit: (e) => events.push(e), signal: new AbortController().signal, gate: new PauseGate() });
    expect(requests).toContain(`${weights}:${kept}`);
    const logs = events.flatMap((e) => (e.type === 'run.log' ? [e.message] : []));
    expect(logs.some((l) => l.startsWith('Downloading the backbone "local-mnv2"'))).toBe(true);
    expect(logs.some((l) => l.includes(`pinned in ${path.join(downloadedBackboneDir(ws, 'local-mnv2'), CHECKSUM_FILE)}`))).toBe(true);
    expect(events.filter((e) => e.type === 'run.epoch')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'run.status').at(-1)).toMatchObject({ status: 'completed' });
  }, 30_000);

  it('`lab backbones` lists the bundled backbone, the catalogue and the download state', async () => {
    const ws = workspace();
    vi.stubEnv('LAB_HOME', ws.root);
    cleanups.push(() => vi.unstubAllEnvs());
    await fetchCatalogBackbone(ws, 'local-mnv2');
    const r = await runCli(['backbones']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/builtin:mobilenetv2\s+bundled/);
    expect(r.stdout).toMatch(/catalog:mobilenet-v1-0\.25-224\s+not downloaded\s+224×224×3\s+~1\.9 MB/);
    expect(r.stdout).toMatch(/catalog:mobilenet-v2-1\.00-224-notop\s+not downloaded/);
    expect(r.stdout).toMatch(/catalog:local-mnv2\s+downloaded/);
    const zh = await runCli(['backbones', '--lang', 'zh-CN']);
    expect(zh.stdout).toMatch(/catalog:local-mnv2\s+已下载/);
    const json = await runCli(['backbones', '--json']);
    const list = (json.lines.find((l) => l.type === 'result') as unknown as { backbones: { backbone: string; url: string | null }[] }).backbones;
    expect(list.find((b) => b.backbone === 'catalog:mobilenet-v1-0.25-224')?.url).toBe('https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json');
    expect(list.find((b) => b.backbone === 'catalog:mobilenet-v2-0.35-224-notop')?.url).toBe(
      'https://storage.googleapis.com/teachable-machine-models/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_224_no_top/model.json',
    );
    expect((await runCli(['backbones', 'fetch'])).code).toBe(2);
  });
});
