/** How the CLI shows work: a progress bar and readable lines for people, or one JSON object per line (--json). */
import cliProgress from 'cli-progress';
import type { BatchLog, EpochLog } from '../../shared/dto';
import type { LabErrorData } from '../../shared/errors';
import { formatMessage, localize, msg, type LabMessage, type Locale } from '../../shared/messages';

export type CliEvent =
  | { type: 'progress'; phase: string; done: number; total: number; ratePerS?: number; etaS?: number | null }
  | ({ type: 'batch' } & BatchLog)
  | ({ type: 'epoch' } & EpochLog)
  | { type: 'info'; message: string; msg?: LabMessage }
  | { type: 'warning'; message: string; msg?: LabMessage }
  | { type: 'result'; [key: string]: unknown }
  | { type: 'error'; error: LabErrorData };

export interface Reporter {
  emit(event: CliEvent): void;
  /** Human mode: print a block of text for the final result. */
  text(lines: string): void;
  /** How many epochs the coming training has (for the ETA). */
  plan(epochs: number): void;
  close(): void;
}

export function jsonReporter(out: NodeJS.WritableStream = process.stdout): Reporter {
  return {
    emit: (event) => out.write(JSON.stringify(event) + '\n'),
    text: () => undefined,
    plan: () => undefined,
    close: () => undefined,
  };
}

function fmtEta(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '–';
  if (s < 60) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

export function humanReporter(out: NodeJS.WriteStream = process.stderr, locale: Locale = 'en'): Reporter {
  let bar: cliProgress.SingleBar | null = null;
  let barPhase = '';
  let trainStart = 0;
  let epochsTotal = 0;
  const stopBar = (): void => {
    bar?.stop();
    bar = null;
    barPhase = '';
  };
  const ensureBar = (phase: string, total: number, format: string): cliProgress.SingleBar => {
    if (bar && barPhase === phase) {
      bar.setTotal(total);
      return bar;
    }
    stopBar();
    bar = new cliProgress.SingleBar(
      { format, stream: out, hideCursor: true, clearOnComplete: false, barsize: 28, noTTYOutput: !out.isTTY, notTTYSchedule: 5000 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { epoch: '', loss: '–', acc: '–', rate: 0, eta_h: '–' });
    barPhase = phase;
    return bar;
  };
  return {
    emit(event) {
      switch (event.type) {
        case 'progress': {
          const b = ensureBar(event.phase, Math.max(event.total, 1), `${event.phase.padEnd(9)} [{bar}] {value}/{total} files · {rate}/s · ETA {eta_h}`);
          b.update(event.done, { rate: Math.round(event.ratePerS ?? 0), eta_h: fmtEta(event.etaS) });
          return;
        }
        case 'batch': {
          if (!trainStart) trainStart = Date.now();
          const b = ensureBar(`epoch ${event.epoch}`, event.batchesPerEpoch, `epoch {epoch} [{bar}] {value}/{total} batches · loss {loss} · acc {acc} · ETA {eta_h}`);
          const elapsed = (Date.now() - trainStart) / 1000;
          const doneBatches = (event.epoch - 1) * event.batchesPerEpoch + event.batch;
          const totalBatches = Math.max(epochsTotal, event.epoch) * event.batchesPerEpoch;
          const eta = doneBatches > 0 ? (elapsed / doneBatches) * (totalBatches - doneBatches) : null;
          b.update(event.batch, { epoch: `${event.epoch}/${epochsTotal || '?'}`, loss: event.loss.toFixed(4), acc: (event.accuracy * 100).toFixed(1) + '%', eta_h: fmtEta(eta) });
          return;
        }
        case 'epoch': {
          stopBar();
          const val = event.valLoss === null ? '' : ` · val loss ${event.valLoss.toFixed(4)} · val acc ${((event.valAccuracy ?? 0) * 100).toFixed(1)}%`;
          const best = event.bestEpoch === event.epoch ? ' · best so far' : '';
          out.write(`epoch ${event.epoch}: loss ${event.loss.toFixed(4)} · acc ${(event.accuracy * 100).toFixed(1)}%${val} · ${Math.round(event.imagesPerS)} img/s · ${event.durationS.toFixed(1)}s${best}\n`);
          return;
        }
        case 'info':
          stopBar();
          out.write(localize(event.message, event.msg, locale) + '\n');
          return;
        case 'warning':
          stopBar();
          out.write(formatMessage(msg('cli.warning', { text: localize(event.message, event.msg, locale) }), locale) + '\n');
          return;
        case 'error':
          stopBar();
          out.write(formatMessage(msg('cli.error', { text: localize(event.error.message, event.error.msg, locale) }), locale) + '\n');
          return;
        case 'result':
          stopBar();
          return;
      }
    },
    plan(epochs) {
      epochsTotal = epochs;
      trainStart = 0;
    },
    text(lines) {
      stopBar();
      process.stdout.write(lines.endsWith('\n') ? lines : lines + '\n');
    },
    close: stopBar,
  };
}
