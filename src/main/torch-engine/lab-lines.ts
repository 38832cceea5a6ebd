/**
 * The metric lines a labjob rank 0 prints on stdout: `LAB ` followed by one JSON object per event
 * (batch, epoch, log, started, done). Everything else on stdout is free text and is ignored here.
 */
import type { BatchLog, EpochLog } from '../../shared/dto';
import { catalogs, isMessageCode, msg, type LabMessage, type MessageParam } from '../../shared/messages';

export type LabLine =
  | ({ kind: 'batch' } & BatchLog)
  | ({ kind: 'epoch' } & EpochLog)
  | { kind: 'log'; level: 'info' | 'warn' | 'error'; code?: string; params?: Record<string, unknown>; text: string }
  | { kind: 'started'; worldSize: number; device: string; torch: string }
  | { kind: 'done'; bestEpoch: number | null; stoppedEarly: boolean; reason?: string };

const PREFIX = 'LAB ';

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): v is number | null => v === null || num(v);

function batchLog(o: Record<string, unknown>): BatchLog | null {
  const { epoch, batch, batchesPerEpoch, loss, accuracy, lr } = o;
  if (!num(epoch) || !num(batch) || !num(batchesPerEpoch) || typeof loss !== 'number' || !num(accuracy) || !num(lr)) return null;
  return { epoch, batch, batchesPerEpoch, loss, accuracy, lr };
}

function epochLog(o: Record<string, unknown>): EpochLog | null {
  const { epoch, loss, accuracy, valLoss, valAccuracy, lr, durationS, imagesPerS, bestEpoch, patienceLeft } = o;
  if (!num(epoch) || typeof loss !== 'number' || !num(accuracy) || !numOrNull(valLoss) || !numOrNull(valAccuracy) || !num(lr)) return null;
  if (!num(durationS) || !num(imagesPerS) || !numOrNull(bestEpoch ?? null) || !numOrNull(patienceLeft ?? null)) return null;
  return { epoch, loss, accuracy, valLoss, valAccuracy, lr, durationS, imagesPerS, bestEpoch: (bestEpoch as number | null) ?? null, patienceLeft: (patienceLeft as number | null) ?? null };
}

/** One stdout line → an event, or null for free text and malformed lines. */
export function parseLabLine(line: string): LabLine | null {
  if (!line.startsWith(PREFIX)) return null;
  let o: unknown;
  try {
    o = JSON.parse(line.slice(PREFIX.length));
  } catch {
    return null;
  }
  if (typeof o !== 'object' || o === null) return null;
  const r = o as Record<string, unknown>;
  switch (r.kind) {
    case 'batch': {
      const b = batchLog(r);
      return b ? { kind: 'batch', ...b } : null;
    }
    case 'epoch': {
      const e = epochLog(r);
      return e ? { kind: 'epoch', ...e } : null;
    }
    case 'log': {
      const level = r.level === 'warn' || r.level === 'error' ? r.level : 'info';
      if (typeof r.text !== 'string') return null;
      return { kind: 'log', level, text: r.text, ...(typeof r.code === 'string' ? { code: r.code } : {}), ...(r.params && typeof r.params === 'object' ? { params: r.params as Record<string, unknown> } : {}) };
    }
    case 'started':
      return { kind: 'started', worldSize: num(r.worldSize) ? r.worldSize : 1, device: typeof r.device === 'string' ? r.device : 'cpu', torch: typeof r.torch === 'string' ? r.torch : '?' };
    case 'done':
      return { kind: 'done', bestEpoch: num(r.bestEpoch) ? r.bestEpoch : null, stoppedEarly: r.stoppedEarly === true, ...(typeof r.reason === 'string' ? { reason: r.reason } : {}) };
    default:
      return null;
  }
}

/** Splits a byte stream into lines (a line may arrive in several chunks). */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const l of lines) this.onLine(l.replace(/\r$/, ''));
  }

  end(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}

/**
 * A job's log line as a message: its code in the lab's catalog (so it shows in the reader's language) when the
 * catalog knows the code and the line carries every parameter the text names; else its English text as it is.
 */
export function logMessage(line: { code?: string; params?: Record<string, unknown>; text: string }): LabMessage {
  const { code, params = {} } = line;
  if (code && isMessageCode(code)) {
    const names = [...catalogs.en[code].matchAll(/\{(\w+)/g)].map((m) => m[1]!);
    if (names.every((n) => n in params)) return msg(code, params as Record<string, MessageParam>);
  }
  return msg('common.verbatim', { text: line.text });
}
