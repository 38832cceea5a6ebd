/** Errors cross every boundary (IPC, WebSocket, worker, CLI) in this one shape. */
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
  details?: Record<string, unknown>;
}

export class LabError extends Error implements LabErrorData {
  readonly code: LabErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: LabErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    if (details) this.details = details;
  }
  toJSON(): LabErrorData {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
  static from(data: LabErrorData): LabError {
    return new LabError(data.code, data.message, data.details);
  }
}

export function isLabErrorData(value: unknown): value is LabErrorData {
  return typeof value === 'object' && value !== null && typeof (value as LabErrorData).code === 'string' && typeof (value as LabErrorData).message === 'string';
}

/** Any thrown value → the boundary shape, never a bare stack trace. */
export function toLabErrorData(err: unknown): LabErrorData {
  if (err instanceof LabError) return err.toJSON();
  if (isLabErrorData(err)) return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `Unexpected error: ${message}. Please report it with the run's log.` };
}
