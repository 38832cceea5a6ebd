/**
 * The WebSocket wire format of `lab serve`, checked before anything touches it: every message that is not a
 * well-formed request gets an error reply naming what was wrong (with the request's id when it has one).
 */
import type { RawData, WebSocket } from 'ws';
import type { WireRequest, WireResponse } from '../../shared/contract';
import type { LabErrorData } from '../../shared/errors';

/** Largest message accepted (the biggest legitimate one, a 100,000-image edit, is a few MiB). Larger frames close with 1009. */
export const WS_MAX_PAYLOAD = 16 * 1024 * 1024;

export type ParsedWire = { request: WireRequest } | { id: number | null; error: LabErrorData };

const bad = (id: number | null, message: string): ParsedWire => ({ id, error: { code: 'BAD_ARGUMENT', message } });

const SHAPE = 'Send a JSON object {"id": <number>, "method": "<call name>", "args": [...]}';

function text(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}

export function parseWireRequest(raw: RawData, isBinary: boolean): ParsedWire {
  if (isBinary) return bad(null, `The lab server got a binary WebSocket message. ${SHAPE} as a text message.`);
  let value: unknown;
  try {
    value = JSON.parse(text(raw));
  } catch (err) {
    return bad(null, `The message is not valid JSON (${(err as Error).message}). ${SHAPE}.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return bad(null, `The message is ${kind}, not a request object. ${SHAPE}.`);
  }
  const msg = value as Record<string, unknown>;
  const id = typeof msg.id === 'number' && Number.isFinite(msg.id) ? msg.id : null;
  if (id === null) return bad(null, `The request has no numeric "id" (got ${describe(msg.id)}). ${SHAPE}.`);
  if (typeof msg.method !== 'string') return bad(id, `The request's "method" must be a call name such as "app.info" (got ${describe(msg.method)}).`);
  if (msg.args !== undefined && !Array.isArray(msg.args)) return bad(id, `The request's "args" must be an array of the call's arguments (got ${describe(msg.args)}).`);
  return { request: { id, method: msg.method as WireRequest['method'], args: (msg.args as unknown[] | undefined) ?? [] } };
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `the text ${JSON.stringify(v.slice(0, 40))}` : `a ${typeof v}`;
}

/** Send one reply if the socket is still open; a send that fails drops only this client. */
export function reply(ws: WebSocket, response: WireResponse | { id: null; ok: false; error: LabErrorData }): void {
  if (ws.readyState !== ws.OPEN) return;
  try {
    ws.send(JSON.stringify(response));
  } catch {
    ws.terminate();
  }
}
