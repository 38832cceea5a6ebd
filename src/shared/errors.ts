/** Errors cross every boundary (IPC, WebSocket, worker, CLI) in this one shape. */
import { english, msg as makeMessage, isLabMessage, type LabMessage } from './messages';
import { systemErrorData } from './system-errors';

export type LabErrorCode =
  | 'BAD_ARGUMENT'
  | 'NOT_FOUND'
  | 'NO_IMAGES'
  | 'TOO_FEW_CLASSES'
  | 'UNREADABLE'
  | 'BAD_CONFIG'
  | 'BUSY'
  | 'CANCELLED'
  | 'TRAINING_FAILED'
  | 'NAN_LOSS'
  | 'EXPORT_FAILED'
  | 'BAD_MODEL'
  | 'UNAUTHORIZED'
  | 'INTERNAL';

export interface LabErrorData {
  code: LabErrorCode;
  /** One or two sentences a person can act on: what went wrong, with the path or field, and what to do. */
  message: string;
  /** The same sentence as data (code + params), so each client shows it in its own language. */
  msg?: LabMessage;
  details?: Record<string, unknown>;
}

export class LabError extends Error implements LabErrorData {
  readonly code: LabErrorCode;
  readonly details?: Record<string, unknown>;
  readonly msg?: LabMessage;
  /** `message` is a LabMessage (preferred: translatable) or an English sentence. */
  constructor(code: LabErrorCode, message: string | LabMessage, details?: Record<string, unknown>) {
    super(typeof message === 'string' ? message : english(message));
    this.name = 'LabError';
    this.code = code;
    if (typeof message !== 'string') this.msg = message;
    if (details) this.details = details;
  }
  toJSON(): LabErrorData {
    return {
      code: this.code,
      message: this.message,
      ...(this.msg ? { msg: this.msg } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
  static from(data: LabErrorData): LabError {
    const err = new LabError(data.code, data.msg ?? data.message, data.details);
    // Keep the sender's English sentence (a newer engine may send a code this build does not know).
    if (data.msg) err.message = data.message;
    return err;
  }
}

export function isLabErrorData(value: unknown): value is LabErrorData {
  return typeof value === 'object' && value !== null && typeof (value as LabErrorData).code === 'string' && typeof (value as LabErrorData).message === 'string';
}

/** Any thrown value → the boundary shape, never a bare stack trace. */
export function toLabErrorData(err: unknown): LabErrorData {
  if (err instanceof LabError) return err.toJSON();
  const system = systemErrorData(err);
  if (system) return system;
  // A Node error also has string code + message (e.g. "ESOMETHING"): only plain data (from another process) passes as is.
  if (isLabErrorData(err) && !(err instanceof Error)) {
    return { code: err.code, message: err.message, ...(isLabMessage(err.msg) ? { msg: err.msg } : {}), ...(err.details ? { details: err.details } : {}) };
  }
  const detail = err instanceof Error ? err.message : String(err);
  const m = makeMessage('error.unexpected', { detail });
  return { code: 'INTERNAL', message: english(m), msg: m };
}
