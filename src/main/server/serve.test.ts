import http from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LabHandlers } from '../../shared/contract';
import type { LabEvent } from '../../shared/events';
import type { LabService } from '../service/lab-service';
import { openWorkspace } from '../workspace';
import { startServer, type RunningServer } from './serve';

const TOKEN = 'test-token-0123456789';

function fakeService(): { service: LabService; emit: (e: LabEvent) => void } {
  const listeners = new Set<(e: LabEvent) => void>();
  const ws = openWorkspace(mkdtempSync(path.join(os.tmpdir(), 'lab-serve-')));
  const handlers = {
    'app.info': async () => ({ version: '9.9.9', workspace: ws.root, shell: 'browser' as const, backend: null }),
  } as unknown as LabHandlers;
  const service = {
    handlers,
    runs: {} as LabService['runs'],
    ctx: { ws, shell: 'browser' as const, version: '9.9.9', emit: () => undefined },
    onEvent: (l: (e: LabEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    resolveImage: async () => ({ data: Buffer.from('png'), contentType: 'image/png' }),
    dispose: () => undefined,
  } satisfies LabService;
  return { service, emit: (e) => listeners.forEach((l) => l(e)) };
}

let server: RunningServer;
let emit: (e: LabEvent) => void;
let base: string;

beforeAll(async () => {
  const renderer = mkdtempSync(path.join(os.tmpdir(), 'lab-renderer-'));
  mkdirSync(path.join(renderer, 'assets'));
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>lab</title>');
  writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
  const fake = fakeService();
  emit = fake.emit;
  server = await startServer({ service: fake.service, rendererDir: renderer, token: TOKEN });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

function openWs(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('lab serve access control', () => {
  it('prints a loopback URL that carries the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('refuses every HTTP request without the token', async () => {
    for (const p of ['/', '/index.html', '/assets/app.js', '/api/image/x/0']) {
      const res = await fetch(base + p);
      expect(res.status, p).toBe(403);
    }
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(403);
  });

  it('trades the token for an HttpOnly cookie and then serves the app with it', async () => {
    const first = await fetch(`${base}/?token=${TOKEN}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie') ?? '';
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const page = await fetch(base + '/', { headers: { cookie: cookie.split(';')[0] as string } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>lab</title>');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    // WebSockets only to this server, never to any ws: host.
    expect(page.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${server.port} `);
    expect(page.headers.get('content-security-policy')).not.toMatch(/ws: |wss:/);
  });

  it('never serves files outside the renderer folder', async () => {
    for (const p of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd']) {
      const res = await fetch(`${base}${p}?token=${TOKEN}`, { redirect: 'manual' });
      expect([302, 404]).toContain(res.status);
      if (res.status === 302) {
        const follow = await fetch(base + (res.headers.get('location') ?? '/'), { headers: { authorization: `token ${TOKEN}` } });
        expect(await follow.text()).not.toContain('root:');
      }
    }
  });

  it('refuses requests whose Host header is not loopback (DNS rebinding)', async () => {
    // fetch() may not set Host, so use a raw request as a rebinding page's browser would send it.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: `/?token=${TOKEN}`, headers: { host: `evil.example:${server.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('refuses WebSocket connections without the token or from another origin', async () => {
    await expect(openWs(`ws://127.0.0.1:${server.port}/api/ws`)).rejects.toThrow(/403|Unexpected|socket hang up/);
    await expect(openWs(`ws://127.0.0.1:${server.port}/api/ws?token=${TOKEN}`, { origin: 'http://evil.example' })).rejects.toThrow();
  });

  it('answers LabApi calls and pushes events over an authorised WebSocket', async () => {
    const ws = await openWs(`ws://127.0.0.1:${server.port}/api/ws?token=${TOKEN}`);
    const messages: unknown[] = [];
    ws.on('message', (m) => messages.push(JSON.parse(String(m))));
    ws.send(JSON.stringify({ id: 1, method: 'app.info', args: [] }));
    ws.send(JSON.stringify({ id: 2, method: 'no.such.call', args: [] }));
    ws.send(JSON.stringify({ id: 3, method: 'runs.get', args: [42] }));
    await new Promise((r) => setTimeout(r, 200));
    emit({ type: 'run.log', runId: 'r1', level: 'info', message: 'hello' });
    await new Promise((r) => setTimeout(r, 200));
    ws.close();
    expect(messages).toContainEqual({ id: 1, ok: true, result: expect.objectContaining({ version: '9.9.9' }) });
    expect(messages).toContainEqual({ id: 2, ok: false, error: expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringContaining('Unknown call') }) });
    expect(messages).toContainEqual({ id: 3, ok: false, error: expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/arguments of runs.get: 0:/) }) });
    expect(messages).toContainEqual({ event: { type: 'run.log', runId: 'r1', level: 'info', message: 'hello' } });
  });
});

describe('lab serve refuses bad input with advice', () => {
  it('answers 400 with a message for malformed percent-encoding in an image address', async () => {
    const res = await fetch(`${base}/api/image/%E0%A4%A/0`, { headers: { authorization: `token ${TOKEN}` } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/not valid percent-encoding/);
  });

  it('refuses a weak --token and a port that is not a port, before listening', async () => {
    const { service } = fakeService();
    const renderer = mkdtempSync(path.join(os.tmpdir(), 'lab-renderer-'));
    await expect(startServer({ service, rendererDir: renderer, token: 'a' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/--token is too weak: it has 1 character/) });
    await expect(startServer({ service, rendererDir: renderer, token: 'aaaaaaaaaaaaaaaaaaaa' })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/distinct/) });
    await expect(startServer({ service, rendererDir: renderer, token: TOKEN, port: Number('abc') })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/--port must be a whole number/) });
    await expect(startServer({ service, rendererDir: renderer, token: TOKEN, port: server.port })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/already in use/) });
  });
});
