/**
 * The WebSocket wire format of `lab serve`, checked before anything touches it: every message that is not a
 * well-formed request gets an error reply naming what was wrong (with the request's id when it has one).
 */
import type { RawData, WebSocket } from 'ws';
import type { WireRequest, WireResponse } from '../../shared/contract';
import type { LabErrorData } from '../../shared/errors';
import { english, msg, type LabMessage } from '../../shared/messages';

/** Largest message accepted (the biggest legitimate one, a 100,000-image edit, is a few MiB). Larger frames close with 1009. */
export const WS_MAX_PAYLOAD = 16 * 1024 * 1024;

export type ParsedWire = { request: WireRequest } | { id: number | null; error: LabErrorData };

const bad = (id: number | null, m: LabMessage): ParsedWire => ({ id, error: { code: 'BAD_ARGUMENT', message: english(m), msg: m } });

const shape = msg('wire.shape');

function text(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (raw instanceof ArrayBuffer) return Buffer.from(raw).toString('utf8');
  return raw.toString('utf8');
}

export function parseWireRequest(raw: RawData, isBinary: boolean): ParsedWire {
  if (isBinary) return bad(null, msg('wire.binary', { shape }));
  let value: unknown;
  try {
    value = JSON.parse(text(raw));
  } catch (err) {
    return bad(null, msg('wire.notJson', { detail: (err as Error).message, shape }));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? msg('json.value.null') : Array.isArray(value) ? msg('json.value.array') : msg('json.value.type', { type: typeof value });
    return bad(null, msg('wire.notObject', { kind, shape }));
  }
  const req = value as Record<string, unknown>;
  const id = typeof req.id === 'number' && Number.isFinite(req.id) ? req.id : null;
  if (id === null) return bad(null, msg('wire.noId', { got: describe(req.id), shape }));
  if (typeof req.method !== 'string') return bad(id, msg('wire.badMethod', { got: describe(req.method) }));
  if (req.args !== undefined && !Array.isArray(req.args)) return bad(id, msg('wire.badArgs', { got: describe(req.args) }));
  return { request: { id, method: req.method as WireRequest['method'], args: (req.args as unknown[] | undefined) ?? [] } };
}

function describe(v: unknown): LabMessage {
  if (v === undefined) return msg('json.value.nothing');
  if (v === null) return msg('json.value.null');
  if (Array.isArray(v)) return msg('json.value.array');
  return typeof v === 'string' ? msg('json.value.text', { text: JSON.stringify(v.slice(0, 40)) }) : msg('json.value.type', { type: typeof v });
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
