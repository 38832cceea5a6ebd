import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { msg, type LabMessage } from '../../shared/messages';

export const TOKEN_COOKIE = 'lab_token';

export function newToken(): string {
  return randomBytes(24).toString('hex');
}

/** Shortest token `lab serve` accepts from --token / LAB_TOKEN: the page and the API are only as safe as it. */
export const MIN_TOKEN_LENGTH = 16;

/** Why a chosen token is too weak to guard the lab (null: strong enough). */
export function weakTokenReason(token: string): LabMessage | null {
  if (token.length < MIN_TOKEN_LENGTH) return msg('serve.token.short', { length: token.length, min: MIN_TOKEN_LENGTH });
  if (!/^[\x21-\x7e]+$/.test(token)) return msg('serve.token.notAscii');
  if (new Set(token).size < 6) return msg('serve.token.repetitive');
  return null;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** The token may come as ?token=, as the cookie set on first visit, or as `Authorization: token <t>`. */
export function requestToken(req: IncomingMessage, url: URL): { token: string | null; fromQuery: boolean } {
  const q = url.searchParams.get('token');
  if (q) return { token: q, fromQuery: true };
  const auth = req.headers.authorization;
  if (auth?.startsWith('token ')) return { token: auth.slice(6), fromQuery: false };
  return { token: cookieToken(req), fromQuery: false };
}

export function isAuthorized(req: IncomingMessage, url: URL, token: string): boolean {
  const got = requestToken(req, url).token;
  return got !== null && same(got, token);
}

/** Only loopback host names: a DNS-rebinding page never gets a matching Host header. */
export function isLoopbackHost(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader.toLowerCase());
}

/** A WebSocket from a page of another origin is refused even if the browser sends our cookie. */
export function isSameOrigin(originHeader: string | undefined, hostHeader: string | undefined): boolean {
  if (!originHeader) return true; // non-browser clients (CLI, tests) send no Origin
  try {
    return new URL(originHeader).host.toLowerCase() === (hostHeader ?? '').toLowerCase();
  } catch {
    return false;
  }
}
