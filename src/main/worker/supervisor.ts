/**
 * The parent's side of a training process, as VS Code's UtilityProcess wrapper does it:
 * - a crash reason: when the process ends without having finished its job, the exit code or signal and the
 *   last lines it wrote to stderr become the message of the failed run;
 * - an acknowledged drain: the parent asks the process to finish (`drain`), the process stops its job, answers
 *   `drained` and closes its channel, and the parent waits for that answer and then for the exit;
 * - wait-then-kill: no answer within `drainTimeoutMs` means SIGTERM; a process still alive `killTimeoutMs` after
 *   its answer or the SIGTERM gets SIGKILL.
 * A process runs one job: once it reports `done` or `failed`, the supervisor drains it.
 */
import type { ParentMessage, WorkerHandle, WorkerMessage } from './protocol';

/** What the supervisor needs from a child, whichever API started it (child_process.fork or utilityProcess). */
export interface ChildProcessLike {
  send(message: ParentMessage): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  /** Text the process writes to stderr, in chunks. */
  onStderr(listener: (text: string) => void): void;
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface LifecycleOptions {
  /** How long a drained process may take to exit before SIGTERM. */
  drainTimeoutMs: number;
  /** How long after SIGTERM before SIGKILL. */
  killTimeoutMs: number;
  /** Lines of stderr kept for the crash reason. */
  stderrLines: number;
}

export const DEFAULT_LIFECYCLE: LifecycleOptions = { drainTimeoutMs: 10_000, killTimeoutMs: 3_000, stderrLines: 8 };

/** The last `max` non-empty lines of a stream of text chunks. */
export class LineTail {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max: number) {}

  push(text: string): void {
    const parts = (this.partial + text).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) if (line.trim()) this.lines.push(line.trimEnd());
    if (this.lines.length > this.max) this.lines = this.lines.slice(-this.max);
  }

  get text(): string[] {
    const all = this.partial.trim() ? [...this.lines, this.partial.trimEnd()] : this.lines;
    return all.slice(-this.max);
  }
}

/** "exited with code 3" / "was killed (SIGKILL)", followed by the process's last stderr lines when there are any. */
export function crashReason(code: number | null, signal: string | null, lastLines: readonly string[]): string {
  const how = signal ? `was killed (${signal})` : `exited with code ${code ?? 'unknown'}`;
  return lastLines.length ? `${how}; its last output was:\n${lastLines.join('\n')}` : how;
}

export function supervise(child: ChildProcessLike, options: Partial<LifecycleOptions> = {}): WorkerHandle {
  const opts = { ...DEFAULT_LIFECYCLE, ...options };
  const tail = new LineTail(opts.stderrLines);
  let exit: { code: number | null; signal: string | null } | null = null;
  const exitListeners: ((code: number | null, signal: string | null, reason: string) => void)[] = [];
  let exited!: () => void;
  const exitedPromise = new Promise<void>((resolve) => (exited = resolve));
  let draining: Promise<void> | null = null;

  child.onStderr((text) => tail.push(text));
  child.onExit((code, signal) => {
    exit = { code, signal };
    exited();
    const reason = crashReason(code, signal, tail.text);
    for (const l of exitListeners) l(code, signal, reason);
  });

  let ack!: () => void;
  const acked = new Promise<void>((resolve) => (ack = resolve));
  /** Resolves true when `event` came within `ms`, false on timeout. */
  const within = (event: Promise<unknown>, ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      void event.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });

  const drain = (): Promise<void> => {
    draining ??= (async () => {
      if (exit) return;
      child.send({ type: 'drain' });
      // The process acknowledges (or simply exits); then it has killTimeoutMs to be gone.
      const answered = await within(Promise.race([acked, exitedPromise]), opts.drainTimeoutMs);
      if (!answered) {
        child.kill('SIGTERM');
        if (await within(exitedPromise, opts.killTimeoutMs)) return;
      } else if (await within(exitedPromise, opts.killTimeoutMs)) return;
      child.kill('SIGKILL');
      await exitedPromise;
    })();
    return draining;
  };

  child.onMessage((m) => {
    if (m.type === 'drained') ack();
    else if (m.type === 'done' || m.type === 'failed') void drain();
  });

  return {
    send: (message) => {
      if (!exit) child.send(message);
    },
    onMessage: (listener) => child.onMessage(listener),
    onExit: (listener) => {
      if (exit) listener(exit.code, exit.signal, crashReason(exit.code, exit.signal, tail.text));
      else exitListeners.push(listener);
    },
    drain,
    kill: () => void drain(),
  };
}
