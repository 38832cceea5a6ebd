/**
 * A hostile or broken client can never stop `lab serve`: malformed raw frames (after a real, token-carrying
 * handshake) and malformed JSON messages each cost at most that client's socket, bad messages get an error
 * reply naming what was wrong, and afterwards the server still answers and a job it started still runs.
 * Loopback only, bounded (a few hundred frames), seeded so a failure can be replayed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LabHandlers } from '../../shared/contract';
import type { LabEvent } from '../../shared/events';
import type { LabService } from '../service/lab-service';
import { openWorkspace } from '../workspace';
import { startServer, type RunningServer } from './serve';
import { WS_MAX_PAYLOAD } from './wire';
import { mulberry32 } from '../../shared/random';

const TOKEN = 'fuzz-token-0123456789abcdef';

/** A stand-in "training run": a timer the server started through a call, ticking until stopped. */
let ticks = 0;
let job: NodeJS.Timeout | null = null;

function fakeService(): LabService {
  const ws = openWorkspace(mkdtempSync(path.join(os.tmpdir(), 'lab-fuzz-')));
  const handlers = {
    'app.info': async () => ({ version: '1.0.0', workspace: ws.root, shell: 'browser' as const, backend: null }),
    // Stands in for runs.start (which needs a full config): starts a job that outlives the call.
    'engine.doctor': async () => {
      job ??= setInterval(() => ticks++, 5);
      return { id: 'r1' };
    },
    // A handler that throws synchronously (not even a rejected promise).
    'runs.list': () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    },
  } as unknown as LabHandlers;
  return {
    handlers,
    runs: {} as LabService['runs'],
    ctx: { ws, shell: 'browser' as const, version: '1.0.0', emit: () => undefined },
    onEvent: (_l: (e: LabEvent) => void) => () => undefined,
    resolveImage: async () => ({ data: Buffer.from('png'), contentType: 'image/png' }),
    dispose: () => undefined,
  } satisfies LabService;
}

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ service: fakeService(), rendererDir: mkdtempSync(path.join(os.tmpdir(), 'lab-r-')), token: TOKEN });
});
afterAll(async () => {
  if (job) clearInterval(job);
  await server.close();
});

/** Seeded (mulberry32) so a failing sequence can be replayed. */
const rng = mulberry32;

interface FrameOpts {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  /** Length written in the header, when it should lie about the payload. */
  announced?: number;
}

function frame({ opcode, payload, fin = true, rsv = 0, mask = true, announced }: FrameOpts): Buffer {
  const len = announced ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0xf)];
  const m = mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127, 0, 0, 0, 0);
    head.push((len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ key[i % 4]!;
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** A raw TCP client that performs the real handshake (with the token), then sends bytes as given. */
async function rawSocket(): Promise<{ sock: net.Socket; received: () => Buffer; closed: Promise<void> }> {
  const sock = net.connect(server.port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let handshake = '';
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  sock.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => {
      sock.write(
        `GET /api/ws?token=${TOKEN} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    const onData = (d: Buffer): void => {
      handshake += d.toString('latin1');
      const end = handshake.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.off('data', onData);
      if (!handshake.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${handshake.split('\r\n')[0]}`));
      const rest = Buffer.from(handshake.slice(end + 4), 'latin1');
      if (rest.length) chunks.push(rest);
      sock.on('data', (c: Buffer) => chunks.push(c));
      resolve();
    };
    sock.on('data', onData);
    sock.once('error', reject);
  });
  return { sock, received: () => Buffer.concat(chunks), closed };
}

/** The close code in the first close frame the server sent (unmasked server frames). */
function closeCode(bytes: Buffer): number | null {
  let i = 0;
  while (i + 2 <= bytes.length) {
    const opcode = bytes[i]! & 0xf;
    let len = bytes[i + 1]! & 0x7f;
    let off = i + 2;
    if (len === 126) {
      len = bytes.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      len = Number(bytes.readBigUInt64BE(off));
      off += 8;
    }
    if (opcode === 8) return len >= 2 ? bytes.readUInt16BE(off) : 1005;
    i = off + len;
  }
  return null;
}

async function sendRaw(data: Buffer, waitMs = 400): Promise<{ code: number | null; closed: boolean }> {
  const c = await rawSocket();
  c.sock.write(data);
  const closed = await Promise.race([c.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), waitMs))]);
  const code = closeCode(c.received());
  c.sock.destroy();
  return { code, closed };
}

function openWs(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api/ws?token=${TOKEN}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function call(method: string, args: unknown[] = []): Promise<Record<string, unknown>> {
  const ws = await openWs();
  try {
    return await new Promise((resolve) => {
      ws.once('message', (m) => resolve(JSON.parse(String(m)) as Record<string, unknown>));
      ws.send(JSON.stringify({ id: 7, method, args }));
    });
  } finally {
    ws.close();
  }
}

describe('lab serve survives hostile WebSocket clients', () => {
  it('closes only the offending socket for each protocol violation the audit found, with the right close code', async () => {
    expect(await call('engine.doctor')).toMatchObject({ id: 7, ok: true });
    // A header announcing 17 MiB (more than maxPayload): closed with 1009 "message too big" before any payload.
    const big = await sendRaw(frame({ opcode: 1, payload: Buffer.alloc(16), announced: WS_MAX_PAYLOAD + 1024 * 1024 }));
    expect(big.code).toBe(1009);
    // An unmasked client frame, invalid UTF-8 in a text frame, opcode 3, RSV1 without an extension, a 126-byte ping.
    const cases: [string, Buffer, number][] = [
      ['unmasked', frame({ opcode: 1, payload: Buffer.from('{}'), mask: false }), 1002],
      ['invalid utf-8', frame({ opcode: 1, payload: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }), 1007],
      ['opcode 3', frame({ opcode: 3, payload: Buffer.from('x') }), 1002],
      ['rsv1', frame({ opcode: 1, payload: Buffer.from('{}'), rsv: 4 }), 1002],
      ['126-byte ping', frame({ opcode: 9, payload: Buffer.alloc(126) }), 1002],
    ];
    for (const [name, bytes, code] of cases) {
      const got = await sendRaw(bytes);
      expect(got.code, name).toBe(code);
    }
    expect(await call('app.info')).toMatchObject({ id: 7, ok: true, result: { version: '1.0.0' } });
  });

  it('still answers, and its job still runs, after a few hundred random frames', async () => {
    const random = rng(17);
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
    const ticksBefore = ticks;
    const connections = 12;
    for (let c = 0; c < connections; c++) {
      const conn = await rawSocket();
      for (let f = 0; f < 25; f++) {
        const kind = random();
        const payload = randomBytes(Math.floor(random() * 200));
        let bytes: Buffer;
        if (kind < 0.3) bytes = payload; // raw garbage, not even a frame
        else if (kind < 0.6) bytes = frame({ opcode: Math.floor(random() * 16), payload, fin: random() < 0.8, rsv: random() < 0.2 ? Math.floor(random() * 8) : 0, mask: random() < 0.9 });
        else if (kind < 0.8) bytes = frame({ opcode: 1, payload: Buffer.from(pick(['null', '[]', '1', '"x"', '{', '{}', '{"id":"a"}', '{"id":1,"method":5}', '{"id":2,"method":"runs.get","args":"x"}', '{"id":3,"method":"runs.list"}'])) });
        else bytes = frame({ opcode: pick([1, 2, 9, 10]), payload, announced: pick([payload.length, 126, 65535, 70000]) });
        if (!conn.sock.destroyed) conn.sock.write(bytes);
      }
      await new Promise((r) => setTimeout(r, 20));
      conn.sock.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(await call('app.info')).toMatchObject({ id: 7, ok: true });
    expect(ticks).toBeGreaterThan(ticksBefore);
  });

  it('answers every malformed JSON message with an error that names what was wrong', async () => {
    const ws = await openWs();
    const replies: Record<string, unknown>[] = [];
    ws.on('message', (m) => replies.push(JSON.parse(String(m)) as Record<string, unknown>));
    const bad: [string, RegExp, number | null][] = [
      ['null', /is null, not a request object/, null],
      ['[1,2]', /is an array/, null],
      ['"hello"', /is a string/, null],
      ['{"method":"app.info"', /not valid JSON/, null],
      ['{"method":"app.info","args":[]}', /no numeric "id"/, null],
      ['{"id":4,"method":12}', /"method" must be a call name/, 4],
      ['{"id":5,"method":"app.info","args":{"a":1}}', /"args" must be an array/, 5],
      ['{"id":6,"method":"no.such"}', /Unknown call "no.such"/, 6],
    ];
    for (const [text] of bad) ws.send(text);
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(JSON.stringify({ id: 8, method: 'runs.list', args: [] }));
    const random = rng(99);
    const junk = ['{', '}', '"', 'null', 'true', '1e999', '[', ']', ',', ':', '"id"', '"method"', '\\u0000', '-0'];
    for (let i = 0; i < 150; i++) ws.send(Array.from({ length: 1 + Math.floor(random() * 8) }, () => junk[Math.floor(random() * junk.length)]).join(''));
    const expected = bad.length + 2 + 150;
    for (let t = 0; t < 100 && replies.length < expected; t++) await new Promise((r) => setTimeout(r, 20));
    ws.close();
    expect(replies.length).toBe(expected);
    for (const [text, message, id] of bad) {
      const reply = { id, ok: false, error: expect.objectContaining({ code: 'BAD_ARGUMENT', message: expect.stringMatching(message) }) };
      expect(replies, text).toContainEqual(reply);
    }
    expect(replies).toContainEqual({ id: null, ok: false, error: expect.objectContaining({ message: expect.stringMatching(/binary/) }) });
    // A handler that throws synchronously becomes an error reply for that call only.
    expect(replies).toContainEqual({ id: 8, ok: false, error: expect.objectContaining({ code: 'INTERNAL' }) });
    expect(replies.every((r) => r.ok === false || r.id === 7)).toBe(true);
    expect(await call('app.info')).toMatchObject({ id: 7, ok: true });
  });
});
