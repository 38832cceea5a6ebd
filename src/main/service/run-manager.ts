/**
 * Runs training processes one at a time from a queue. The service stays responsive; a crash of the
 * training process becomes a failed run with its error, never a dead app.
 */
import type { TrainConfig } from '../../shared/config';
import type { Evaluation, RunStatus } from '../../shared/dto';
import { LabError, type LabErrorData } from '../../shared/errors';
import { english, msg } from '../../shared/messages';
import { setRunStatus } from '../runs';
import { readCheckpointState } from '../training/checkpoint';
import type { WorkerHandle, WorkerLauncher } from '../worker/protocol';
import type { ServiceContext } from './context';

interface QueuedRun {
  runId: string;
  config: TrainConfig;
  resume: boolean;
}

interface ActiveRun extends QueuedRun {
  handle: WorkerHandle;
  settled: boolean;
}

type Waiter = (outcome: { status: RunStatus; error?: LabErrorData }) => void;

export class RunManager {
  private readonly queue: QueuedRun[] = [];
  private active: ActiveRun | null = null;
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly launch: WorkerLauncher,
  ) {}

  get activeRunId(): string | null {
    return this.active?.runId ?? null;
  }

  isQueued(runId: string): boolean {
    return this.queue.some((q) => q.runId === runId);
  }

  /**
   * Queue a run; resolves once run.json says "queued", so a runs.get right after a runs.resume no longer reports the
   * old "failed" state while the training process starts (it then writes "running" itself).
   */
  enqueue(runId: string, config: TrainConfig, resume = false): Promise<void> {
    this.queue.push({ runId, config, resume });
    const written = this.active ? this.announce(runId, 'queued', 'waiting for the current run to finish') : resume ? this.announce(runId, 'queued') : Promise.resolve();
    this.startNext();
    return written;
  }

  /** Resolves when the run ends (completed, stopped or failed). */
  waitFor(runId: string): Promise<{ status: RunStatus; error?: LabErrorData }> {
    return new Promise((resolve) => {
      const list = this.waiters.get(runId) ?? [];
      list.push(resolve);
      this.waiters.set(runId, list);
    });
  }

  stop(runId: string): boolean {
    const i = this.queue.findIndex((q) => q.runId === runId);
    if (i >= 0) {
      this.queue.splice(i, 1);
      void this.finish(runId, 'stopped');
      return true;
    }
    if (this.active?.runId !== runId) return false;
    this.active.handle.send({ type: 'stop' });
    return true;
  }

  pause(runId: string): boolean {
    if (this.active?.runId !== runId) return false;
    this.active.handle.send({ type: 'pause' });
    void this.announce(runId, 'paused');
    return true;
  }

  resume(runId: string): boolean {
    if (this.active?.runId !== runId) return false;
    this.active.handle.send({ type: 'resume' });
    void this.announce(runId, 'running');
    return true;
  }

  /** Evaluate a finished run in its own process (tfjs work never runs in the app's main process). */
  evaluate(runId: string, datasetId?: string): Promise<Evaluation> {
    return new Promise((resolve, reject) => {
      const handle = this.launch();
      let result: Evaluation | null = null;
      handle.onMessage((m) => {
        if (m.type === 'event' && m.event.type === 'run.evaluation') {
          result = m.event.evaluation;
          this.ctx.emit(m.event);
        } else if (m.type === 'failed') reject(LabError.from(m.error));
      });
      handle.onExit((_code, _signal, reason) => {
        if (result) resolve(result);
        else reject(new LabError('INTERNAL', msg('error.evaluation.noResult', { runId, reason })));
      });
      handle.send({ type: 'evaluate', runId, workspace: this.ctx.ws.root, ...(datasetId ? { datasetId } : {}) });
    });
  }

  dispose(): void {
    this.queue.length = 0;
    this.active?.handle.kill();
  }

  private startNext(): void {
    if (this.active) return;
    const next = this.queue.shift();
    if (!next) return;
    const handle = this.launch();
    const run: ActiveRun = { ...next, handle, settled: false };
    this.active = run;
    handle.onMessage((m) => {
      switch (m.type) {
        case 'event':
          this.ctx.emit(m.event);
          if (m.event.type === 'run.status' && (m.event.status === 'completed' || m.event.status === 'stopped')) {
            run.settled = true;
            this.notify(run.runId, { status: m.event.status });
          }
          return;
        case 'failed':
          run.settled = true;
          void this.finish(run.runId, 'failed', m.error);
          return;
        default:
          return;
      }
    });
    handle.onExit((_code, _signal, reason) => {
      if (!run.settled) void this.crashed(run.runId, reason);
      if (this.active === run) this.active = null;
      this.startNext();
    });
    handle.send({ type: 'train', runId: run.runId, workspace: this.ctx.ws.root, config: run.config, resume: run.resume });
  }

  /** The process died mid-run: offer "resume" only when a checkpoint exists to resume from. */
  private async crashed(runId: string, reason: string): Promise<void> {
    const state = await readCheckpointState(this.ctx.ws.runDir(runId), 'last').catch(() => null);
    // reason: the exit code or signal, and the last lines the process wrote to stderr.
    const said = state ? msg('run.crashed.resumable', { reason, epoch: state.epochsDone }) : msg('run.crashed.restart', { reason });
    await this.finish(runId, 'failed', {
      code: 'TRAINING_FAILED',
      message: english(said),
      msg: said,
      details: { resumable: state !== null },
    });
  }

  private async announce(runId: string, status: RunStatus, message?: string): Promise<void> {
    await setRunStatus(this.ctx.ws, runId, status).catch(() => undefined);
    this.ctx.emit({ type: 'run.status', runId, status, ...(message ? { message } : {}) });
  }

  private async finish(runId: string, status: RunStatus, error?: LabErrorData): Promise<void> {
    await setRunStatus(this.ctx.ws, runId, status, error ? { error } : undefined).catch(() => undefined);
    this.ctx.emit({ type: 'run.status', runId, status, ...(error ? { error, message: error.message } : {}) });
    this.notify(runId, error ? { status, error } : { status });
  }

  private notify(runId: string, outcome: { status: RunStatus; error?: LabErrorData }): void {
    const list = this.waiters.get(runId) ?? [];
    this.waiters.delete(runId);
    for (const w of list) w(outcome);
  }
}
