/**
 * Raw operating-system and Node errors (EISDIR, ENOENT, ERR_SOCKET_BAD_PORT…) turned into a sentence a person can act
 * on, in one place: what went wrong with which path or port, and what to do. Pure (reads only `code`, `path`, `port`).
 */
import type { LabErrorData } from './errors';

interface SystemErrorLike {
  code?: unknown;
  path?: unknown;
  dest?: unknown;
  port?: unknown;
  syscall?: unknown;
  message?: unknown;
}

const ADVICE: Record<string, (where: string) => { code: LabErrorData['code']; message: string }> = {
  ENOENT: (w) => ({ code: 'NOT_FOUND', message: `${w} does not exist. Check the path (or create the folder) and try again.` }),
  EISDIR: (w) => ({ code: 'BAD_ARGUMENT', message: `${w} is a folder where a file was expected. Give the path of a file inside it.` }),
  ENOTDIR: (w) => ({ code: 'BAD_ARGUMENT', message: `${w} goes through a file as if it were a folder. Check the path.` }),
  EACCES: (w) => ({ code: 'UNREADABLE', message: `${w} cannot be accessed: permission denied. Check its permissions or choose another location.` }),
  EPERM: (w) => ({ code: 'UNREADABLE', message: `${w}: the operation is not permitted. Check its permissions or choose another location.` }),
  EROFS: (w) => ({ code: 'BAD_ARGUMENT', message: `${w} is on a read-only file system. Choose a folder you can write to.` }),
  ENOSPC: (w) => ({ code: 'BAD_ARGUMENT', message: `The disk is full while writing ${w}. Free some space and try again.` }),
  EEXIST: (w) => ({ code: 'BAD_ARGUMENT', message: `${w} already exists. Choose a new name or folder.` }),
  ELOOP: (w) => ({ code: 'BAD_ARGUMENT', message: `${w} is a loop of symbolic links. Fix or remove the link.` }),
  ENAMETOOLONG: (w) => ({ code: 'BAD_ARGUMENT', message: `${w} is too long a path for this system. Use a shorter path.` }),
  EMFILE: () => ({ code: 'BUSY', message: 'Too many files are open at once. Close other programs or raise the open-file limit (ulimit -n), then try again.' }),
  EADDRINUSE: (w) => ({ code: 'BAD_ARGUMENT', message: `${w} is already in use. Choose another --port, or leave it out to pick a free one.` }),
  ERR_SOCKET_BAD_PORT: (w) => ({ code: 'BAD_ARGUMENT', message: `${w} is not a valid port: use a whole number from 0 to 65535 (0 picks a free port).` }),
};

/** The boundary shape with advice for a known system error, or null when err is not one. */
export function systemErrorData(err: unknown): LabErrorData | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as SystemErrorLike;
  if (typeof e.code !== 'string') return null;
  const advise = ADVICE[e.code];
  if (!advise) return null;
  let where: string;
  if (typeof e.path === 'string') where = e.path;
  else if (e.code === 'ERR_SOCKET_BAD_PORT' || e.code === 'EADDRINUSE') {
    const port = e.port ?? /received (?:type \w+ \()?([^)\s]+)/i.exec(String(e.message ?? ''))?.[1];
    where = port !== undefined ? `Port ${String(port)}` : 'The port';
  } else where = 'A path you gave';
  const out = advise(where);
  return { code: out.code, message: out.message, details: { systemCode: e.code, ...(typeof e.path === 'string' ? { path: e.path } : {}) } };
}
