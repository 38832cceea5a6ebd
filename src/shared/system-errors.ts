/**
 * Raw operating-system and Node errors (EISDIR, ENOENT, ERR_SOCKET_BAD_PORT…) turned into a sentence a person can act
 * on, in one place: what went wrong with which path or port, and what to do. Pure (reads only `code`, `path`, `port`).
 */
import type { LabErrorData } from './errors';
import { english, msg, type LabMessage } from './messages';

interface SystemErrorLike {
  code?: unknown;
  path?: unknown;
  dest?: unknown;
  port?: unknown;
  syscall?: unknown;
  message?: unknown;
}

/** Each known code: the error code it maps to (its sentence is the message `system.<CODE>`, naming `{where}`). */
const ADVICE = {
  ENOENT: 'NOT_FOUND',
  EISDIR: 'BAD_ARGUMENT',
  ENOTDIR: 'BAD_ARGUMENT',
  EACCES: 'UNREADABLE',
  EPERM: 'UNREADABLE',
  EROFS: 'BAD_ARGUMENT',
  ENOSPC: 'BAD_ARGUMENT',
  EEXIST: 'BAD_ARGUMENT',
  ELOOP: 'BAD_ARGUMENT',
  ENAMETOOLONG: 'BAD_ARGUMENT',
  EMFILE: 'BUSY',
  EADDRINUSE: 'BAD_ARGUMENT',
  ERR_SOCKET_BAD_PORT: 'BAD_ARGUMENT',
} as const satisfies Record<string, LabErrorData['code']>;

type KnownCode = keyof typeof ADVICE;

const isKnown = (code: string): code is KnownCode => Object.prototype.hasOwnProperty.call(ADVICE, code);

/** The boundary shape with advice for a known system error, or null when err is not one. */
export function systemErrorData(err: unknown): LabErrorData | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as SystemErrorLike;
  if (typeof e.code !== 'string') return null;
  const known = e.code;
  if (!isKnown(known)) return null;
  let where: string | LabMessage;
  if (typeof e.path === 'string') where = e.path;
  else if (e.code === 'ERR_SOCKET_BAD_PORT' || e.code === 'EADDRINUSE') {
    const port = e.port ?? /received (?:type \w+ \()?([^)\s]+)/i.exec(String(e.message ?? ''))?.[1];
    where = port !== undefined ? msg('system.where.port', { port: String(port) }) : msg('system.where.anyPort');
  } else where = msg('system.where.path');
  const said = msg(`system.${known}` as const, { where });
  return { code: ADVICE[known], message: english(said), msg: said, details: { systemCode: e.code, ...(typeof e.path === 'string' ? { path: e.path } : {}) } };
}
