import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, WebSocket as NodeWebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import type { WireRequest } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import { createWsBridge, wsUrlFromLocation, type SocketLike, type WsBridge } from './ws-client';

/** A tiny stand-in for `lab serve`'s WebSocket endpoint. */
function startServer(port = 0): Promise<{ wss: WebSocketServer; url: string; port: number; requests: WireRequest[] }> {
  return new Promise((resolve) => {
    const requests: WireRequest[] = [];
    const wss = new WebSocketServer({ host: '127.0.0.1', port }, () => {
      const p = (wss.address() as AddressInfo).port;
      resolve({ wss, url: `ws://127.0.0.1:${p}/api/ws`, port: p, requests });
    });
    wss.on('connection', (ws) => {
      ws.on('message', (raw) => {
        const req = JSON.parse(String(raw)) as WireRequest;
        requests.push(req);
        if (req.method === 'datasets.get') {
          ws.send(JSON.stringify({ id: req.id, ok: false, error: { code: 'NOT_FOUND', message: `No dataset "${String(req.args[0])}".` } }));
        } else if (req.method === 'runs.stop') {
          // never answers: the test drops the connection meanwhile
        } else {
          ws.send(JSON.stringify({ event: { type: 'run.log', runId: 'r', level: 'info', message: 'hello' } }));
          ws.send(JSON.stringify({ id: req.id, ok: true, result: { method: req.method, args: req.args } }));
        }
      });
    });
  });
}

const nodeSocket = (url: string): SocketLike => new NodeWebSocket(url) as unknown as SocketLike;
const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('WebSocket LabBridge', () => {
  const cleanup: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  it('builds the ws URL from the page address, carrying the token', () => {
    expect(wsUrlFromLocation({ protocol: 'http:', host: '127.0.0.1:5173', search: '?token=ab%2Bc' })).toBe('ws://127.0.0.1:5173/api/ws?token=ab%2Bc');
    expect(wsUrlFromLocation({ protocol: 'https:', host: 'lab.local', search: '' })).toBe('wss://lab.local/api/ws');
  });

  it('answers calls by id, rejects engine errors as LabError and delivers events', async () => {
    const server = await startServer();
    const bridge = createWsBridge({ url: server.url, createSocket: nodeSocket });
    cleanup.push(() => bridge.close(), () => server.wss.close());
    const events: string[] = [];
    bridge.onEvent((e) => events.push(e.type));

    // Called before the socket is open: queued, then sent.
    const [a, b] = await Promise.all([bridge.call('runs.get', 'r1'), bridge.call('app.info')]);
    expect(a).toEqual({ method: 'runs.get', args: ['r1'] });
    expect(b).toEqual({ method: 'app.info', args: [] });
    expect(events).toEqual(['run.log', 'run.log']);

    const err = await bridge.call('datasets.get', 'nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('NOT_FOUND');
    expect((err as LabError).message).toContain('nope');
    expect(bridge.imageUrl('ds 1', 7, 'full')).toBe('/api/image/ds%201/7?variant=full');
  });

  it('fails calls in flight when the connection drops, then reconnects with backoff', async () => {
    const server = await startServer();
    const bridge: WsBridge = createWsBridge({ url: server.url, createSocket: nodeSocket, baseDelayMs: 20, maxDelayMs: 50 });
    const states: string[] = [];
    bridge.onStateChange((s) => states.push(s));
    cleanup.push(() => bridge.close());
    await bridge.call('app.info');

    const inFlight = bridge.call('runs.stop', 'r1').catch((e: unknown) => e);
    await until(() => server.requests.some((r) => r.method === 'runs.stop'));
    for (const c of server.wss.clients) c.terminate();
    const err = await inFlight;
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toMatch(/connection .* lost/);

    await until(() => states.includes('open') && states.lastIndexOf('open') > states.indexOf('reconnecting'));
    expect(await bridge.call('app.info')).toEqual({ method: 'app.info', args: [] });
    server.wss.close();
  });

  it('a call that cannot reach the server fails with a message saying what to do', async () => {
    const server = await startServer();
    const url = server.url;
    await new Promise<void>((r) => server.wss.close(() => r()));
    const bridge = createWsBridge({ url, createSocket: nodeSocket, baseDelayMs: 10, maxDelayMs: 20, connectTimeoutMs: 200 });
    cleanup.push(() => bridge.close());
    const err = await bridge.call('app.info').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toMatch(/lab serve/);
    expect(bridge.state).toBe('reconnecting');
  });
});
