#!/usr/bin/env node
// Part of scripts/test-install.sh: starts `<lab> serve` (from the current directory), then, as the browser app
// would, calls its WebSocket API with the token from the printed URL: import the sample, start a one-epoch run,
// wait for it to finish. Exits 0 only when the run completed; says what happened either way.
//   node scripts/test-install-serve.mjs <lab-bin> <image-folder>
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const [lab, folder] = process.argv.slice(2);
if (!lab || !folder) {
  console.error('usage: node scripts/test-install-serve.mjs <lab-bin> <image-folder>');
  process.exit(2);
}
const TIMEOUT_MS = 180_000;

const server = spawn(lab, ['serve', '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
const stop = (code, message) => {
  console.log(`[serve] ${message}`);
  server.kill('SIGTERM');
  process.exitCode = code;
  setTimeout(() => process.exit(code), 5_000).unref();
};
const timer = setTimeout(() => stop(1, `no completed run within ${TIMEOUT_MS / 1000}s`), TIMEOUT_MS);
server.on('exit', (code) => {
  if (process.exitCode === undefined) stop(1, `lab serve exited early (code ${code})`);
});

/** The `result` event of `lab serve --json`: the URL with its access token. */
const url = await new Promise((resolve) => {
  createInterface({ input: server.stdout }).on('line', (line) => {
    try {
      const event = JSON.parse(line);
      if (event.type === 'result' && event.url) resolve(new URL(event.url));
    } catch {
      // not a JSON event
    }
  });
});
console.log(`[serve] listening on port ${url.port}`);

const ws = new WebSocket(`ws://127.0.0.1:${url.port}/api/ws?token=${url.searchParams.get('token')}`);
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
let next = 1;
const pending = new Map();
ws.on('message', (raw) => {
  const msg = JSON.parse(String(raw));
  if (msg.id === undefined) return;
  const p = pending.get(msg.id);
  pending.delete(msg.id);
  if (msg.ok) p?.resolve(msg.result);
  else p?.reject(new Error(`${msg.error?.code}: ${msg.error?.message}`));
});
const call = (method, ...args) =>
  new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, args }));
  });

try {
  const dataset = await call('datasets.import', { paths: [folder] });
  const run = await call('runs.start', { datasetId: dataset.id, name: 'install test through lab serve', epochs: 1, batchSize: 32, input: { size: 28, channels: 1 } });
  let detail;
  for (;;) {
    detail = await call('runs.get', run.id);
    if (['completed', 'failed', 'stopped'].includes(detail.status)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  ws.close();
  clearTimeout(timer);
  if (detail.status === 'completed') stop(0, `run ${run.id} trained through the WebSocket API: completed`);
  else stop(1, `run ${run.id} ${detail.status}: ${JSON.stringify(detail.error ?? null)}`);
} catch (err) {
  clearTimeout(timer);
  stop(1, `API call failed: ${err.message}`);
}
