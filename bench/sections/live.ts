// Live prediction, both ways, in Debian's Chromium with its fake camera (the frames the /live page would get):
//   engine: what /live does — `lab serve` holds the model (live.open); the page grabs a frame, encodes a JPEG at about
//           the model's input size and sends it over the lab's WebSocket (live.predict), one frame in flight;
//   renderer: the run's tfjs export loaded by tfjs in the page (WebAssembly backend, threaded where the page is
//           cross-origin isolated; WebGL where headless Chromium gives one), the frame read with tf.browser.fromPixels.
// For the transfer model (frozen MobileNetV2 α0.35 at 224 px + a dense head) and the CNN (the `ref` network of the
// PyTorch peer, 28×28 grey), it reports
// predictions/s and the median latency per frame (grab → probabilities back), plus the engine's heatmap rate.
// The speed target (≥ 15 predictions/s for the transfer model) is read off this table, not asserted by a test.
// Opt-in: --only live (needs the built app: npm run build:app). Flags: --live-seconds N (per measurement, default 5).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/main/engine/backend';
import { exportModel } from '../../src/main/export/export-model';
import { buildModel } from '../../src/main/models';
import { PEER_ARCHITECTURES } from '../../src/main/models/peer-architectures';
import { preprocessingFor } from '../../src/main/models/preprocessing';
import { parseTrainConfig } from '../../src/main/training/train-config';
import type { BenchContext, BenchSection, Row, SectionResult } from '../lib/section';

const require = createRequire(import.meta.url);
const TOKEN = 'bench-live-token-not-secret-0123';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
/** The renderer side is served from here (page.route, nothing listens): localhost is a secure context, so COOP/COEP give threads. */
const RENDERER_ORIGIN = 'http://localhost:47999';

interface Measured {
  n: number;
  perS: number;
  medianMs: number;
  engineMs?: number;
  backend?: string;
  threads?: number;
  error?: string;
}

/** Page code shared by both sides: the fake camera's current frame drawn into a canvas. */
const CAMERA_JS = `
async function camera() {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  const video = document.createElement('video');
  video.muted = true; video.playsInline = true; video.srcObject = stream;
  await video.play();
  while (video.readyState < 2 || !video.videoWidth) await new Promise((r) => setTimeout(r, 20));
  return video;
}
function median(xs) { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; }
`;

/**
 * As CameraFeed.grab(): short side ≈ max(input size, 64), JPEG 0.85, base64. Run in a page the lab server itself
 * answered (any path of its origin): Chromium's local-network checks refuse a loopback WebSocket from a page
 * Playwright made up, and evaluating it there is not subject to the page's CSP.
 */
const ENGINE_SCRIPT = `${CAMERA_JS}
async function measure({ model, size, seconds, heatmap }) {
  const ws = new WebSocket('ws://' + location.host + '/api/ws?token=${TOKEN}');
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = () => rej(new Error('websocket refused')); });
  let next = 1; const pending = new Map();
  ws.onmessage = (e) => { const m = JSON.parse(e.data); if (m.id === undefined) return; const p = pending.get(m.id); pending.delete(m.id); m.ok ? p.resolve(m.result) : p.reject(new Error(m.error.message)); };
  const call = (method, ...args) => new Promise((resolve, reject) => { const id = next++; pending.set(id, { resolve, reject }); ws.send(JSON.stringify({ id, method, args })); });
  await call('live.open', { model });
  const video = await camera();
  const canvas = document.createElement('canvas');
  const short = Math.min(video.videoWidth, video.videoHeight);
  const scale = Math.min(1, Math.max(size, 64) / short);
  canvas.width = Math.round(video.videoWidth * scale); canvas.height = Math.round(video.videoHeight * scale);
  const ctx = canvas.getContext('2d');
  const grab = () => { ctx.drawImage(video, 0, 0, canvas.width, canvas.height); const u = canvas.toDataURL('image/jpeg', 0.85); return u.slice(u.indexOf(',') + 1); };
  for (let i = 0; i < 3; i++) await call('live.predict', { model, image: grab(), heatmap });
  const lat = []; const eng = []; const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const s = performance.now();
    const out = await call('live.predict', { model, image: grab(), heatmap });
    lat.push(performance.now() - s); eng.push(out.engineMs);
    await new Promise((r) => setTimeout(r, 0));
  }
  const elapsed = (performance.now() - t0) / 1000;
  await call('live.release');
  ws.close();
  return { n: lat.length, perS: lat.length / elapsed, medianMs: median(lat), engineMs: median(eng) };
}`;

const RENDERER_PAGE = `<!doctype html><script src="/tf.js"></script><script src="/tf-wasm.js"></script><script>${CAMERA_JS}
async function measure({ backend, size, channels, scale, offset, seconds }) {
  if (backend === 'wasm') tf.wasm.setWasmPaths('/wasm/');
  if (!(await tf.setBackend(backend))) throw new Error(backend + ' is not available in this Chromium');
  await tf.ready();
  const model = await tf.loadLayersModel('/model/model.json');
  const video = await camera();
  const canvas = document.createElement('canvas'); canvas.width = size; canvas.height = size;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const once = async () => {
    ctx.drawImage(video, 0, 0, size, size);
    const y = tf.tidy(() => {
      let x = tf.browser.fromPixels(canvas, 3).toFloat();
      if (channels === 1) x = x.mean(2, true);
      return model.predict(x.mul(scale).add(offset).expandDims(0));
    });
    const p = await y.data(); y.dispose(); return p;
  };
  for (let i = 0; i < 3; i++) await once();
  const lat = []; const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const s = performance.now(); await once(); lat.push(performance.now() - s);
    await new Promise((r) => setTimeout(r, 0));
  }
  const elapsed = (performance.now() - t0) / 1000;
  const threads = backend === 'wasm' && tf.wasm.getThreadsCount ? tf.wasm.getThreadsCount() : 1;
  return { n: lat.length, perS: lat.length / elapsed, medianMs: median(lat), backend: tf.getBackend(), threads };
}
</script>`;

/** `lab serve` from the built app, on a free port, in a throwaway workspace. */
async function startLab(home: string): Promise<{ child: ChildProcess; origin: string }> {
  const child = spawn(process.execPath, ['bin/lab.js', 'serve', '--port', '0', '--token', TOKEN, '--json'], { env: { ...process.env, LAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  const origin = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        try {
          const ev = JSON.parse(line) as { type?: string; port?: number };
          if (ev.type === 'result' && ev.port) resolve(`http://127.0.0.1:${ev.port}`);
        } catch {
          /* not a whole line yet */
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`lab serve exited with ${code}`)));
  });
  return { child, origin };
}

async function buildAndExport(kind: 'transfer' | 'cnn', dir: string): Promise<{ size: number; channels: number; normalization: 'unit' | 'symmetric' }> {
  const config = parseTrainConfig(
    kind === 'transfer'
      ? { datasetId: 'bench', input: { size: 224, channels: 3, fit: 'crop' }, model: { kind: 'transfer' } }
      : { datasetId: 'bench', input: { size: 28, channels: 1 }, model: PEER_ARCHITECTURES.ref },
  );
  const model = await buildModel(config, 4);
  const preprocessing = preprocessingFor(config);
  await exportModel(model, { format: 'tfjs', outDir: dir, labels: ['a', 'b', 'c', 'd'], preprocessing, modelName: `live-${kind}` });
  model.dispose();
  return { size: config.input.size, channels: config.input.channels, normalization: preprocessing.normalization };
}

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.html': 'text/html' };

export const section: BenchSection = {
  name: 'live',
  description: 'live prediction in Chromium (fake camera): the engine over the WebSocket (what /live does) vs tfjs in the page, transfer model and CNN (opt-in: --only live)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    if (!(ctx.args.only ?? []).includes('live') && !('live' in ctx.args.flags)) {
      ctx.log('live: skipped (pass --only live)');
      return { rows: [], json: { skipped: true } };
    }
    if (!existsSync('out/main/cli.js')) throw new Error('the app is not built: run npm run build:app first');
    const seconds = Number(ctx.args.flags['live-seconds'] ?? 5);
    const playwright = await import('playwright-core');
    await initBackend();
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-bench-live-'));
    const lab = await startLab(path.join(root, 'home'));
    const browser = await playwright.chromium.launch({ executablePath: process.env.LAB_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const rows: Row[] = [];
    const json: Record<string, Record<string, Measured>> = {};
    try {
      for (const kind of ['transfer', 'cnn'] as const) {
        const dir = path.join(root, kind);
        const info = await buildAndExport(kind, dir);
        const results: Record<string, Measured> = {};
        // The engine's way, as /live does it (and with a heatmap on every frame, for the heatmap rate).
        for (const heatmap of [false, true]) {
          const page = await browser.newPage();
          await page.goto(`${lab.origin}/bench-live`);
          try {
            results[heatmap ? 'engine+heatmap' : 'engine'] = await page.evaluate(`(async () => { ${ENGINE_SCRIPT}; return measure(${JSON.stringify({ model: dir, size: info.size, seconds, heatmap })}); })()`);
          } catch (err) {
            results[heatmap ? 'engine+heatmap' : 'engine'] = { n: 0, perS: 0, medianMs: NaN, error: String((err as Error).message).split('\n')[0] };
          }
          await page.close();
        }
        // tfjs in the page.
        const tfjsDist = path.dirname(require.resolve('@tensorflow/tfjs/dist/tf.min.js'));
        const wasmDist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js'));
        for (const backend of ['wasm', 'webgl']) {
          const page = await browser.newPage();
          await page.route(`${RENDERER_ORIGIN}/**`, async (route) => {
            const p = new URL(route.request().url()).pathname;
            let body: Buffer | string | undefined;
            if (p === '/') body = RENDERER_PAGE;
            else if (p === '/tf.js') body = await fsp.readFile(path.join(tfjsDist, 'tf.min.js'));
            else if (p === '/tf-wasm.js') body = await fsp.readFile(path.join(wasmDist, 'tf-backend-wasm.min.js'));
            else if (p.startsWith('/wasm/')) body = await fsp.readFile(path.join(wasmDist, path.basename(p))).catch(() => undefined);
            else if (p.startsWith('/model/')) body = await fsp.readFile(path.join(dir, path.basename(p))).catch(() => undefined);
            if (body === undefined) return route.fulfill({ status: 404, body: 'not found' });
            return route.fulfill({
              status: 200,
              body,
              contentType: p === '/' ? 'text/html' : (CONTENT_TYPES[path.extname(p)] ?? 'application/octet-stream'),
              // Cross-origin isolation: SharedArrayBuffer, so the WebAssembly backend can use threads.
              headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
            });
          });
          await page.goto(`${RENDERER_ORIGIN}/`);
          const norm = info.normalization === 'unit' ? { scale: 1 / 255, offset: 0 } : { scale: 1 / 127.5, offset: -1 };
          try {
            results[`renderer-${backend}`] = await page.evaluate(`measure(${JSON.stringify({ backend, size: info.size, channels: info.channels, ...norm, seconds })})`);
          } catch (err) {
            results[`renderer-${backend}`] = { n: 0, perS: 0, medianMs: NaN, error: String((err as Error).message).split('\n')[0] };
          }
          await page.close();
        }
        json[kind] = results;
        ctx.log(`live ${kind}: ${JSON.stringify(results)}`);
        for (const [way, m] of Object.entries(results)) {
          rows.push({
            model: kind === 'transfer' ? 'transfer (MobileNetV2 α0.35, 224)' : 'cnn ref (28×28 grey)',
            way: m.backend && m.backend !== 'wasm' ? `renderer (${m.backend})` : m.threads ? `${way} (${m.threads} threads)` : way,
            'predictions/s': m.error ? null : Number(m.perS.toFixed(1)),
            'latency ms (median)': m.error ? null : Number(m.medianMs.toFixed(1)),
            'engine ms': m.engineMs !== undefined ? Number(m.engineMs.toFixed(1)) : null,
            frames: m.n,
            note: m.error ?? '',
          });
        }
      }
    } finally {
      await browser.close();
      lab.child.kill('SIGTERM');
      rmSync(root, { recursive: true, force: true });
      tf.disposeVariables();
    }
    return { rows, json };
  },
};
