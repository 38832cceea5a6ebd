import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { TrainConfigSchema } from '../../shared/config';
import type { LabEvent } from '../../shared/events';
import type { ParentMessage, WorkerHandle, WorkerMessage } from '../worker/protocol';
import { crashReason } from '../worker/supervisor';
import { openWorkspace } from '../workspace';
import { RunManager } from './run-manager';

const statuses: { id: string; status: string; extra?: unknown }[] = [];
vi.mock('../runs', () => ({
  setRunStatus: async (_ws: unknown, id: string, status: string, extra?: unknown) => {
    statuses.push({ id, status, extra });
  },
}));

/** A scripted training process: the test decides what it says and when it dies. */
class FakeWorker implements WorkerHandle {
  sent: ParentMessage[] = [];
  private onMsg: ((m: WorkerMessage) => void)[] = [];
  private onEnd: ((code: number | null, signal: string | null, reason: string) => void)[] = [];
  send(m: ParentMessage): void {
    this.sent.push(m);
  }
  onMessage(l: (m: WorkerMessage) => void): void {
    this.onMsg.push(l);
  }
  onExit(l: (code: number | null, signal: string | null, reason: string) => void): void {
    this.onEnd.push(l);
  }
  async drain(): Promise<void> {
    this.exit(0);
  }
  kill(): void {
    this.exit(null, 'SIGTERM');
  }
  say(m: WorkerMessage): void {
    this.onMsg.forEach((l) => l(m));
  }
  exit(code: number | null, signal: string | null = null): void {
    this.onEnd.forEach((l) => l(code, signal, crashReason(code, signal, [])));
  }
}

function setup() {
  const workers: FakeWorker[] = [];
  const events: LabEvent[] = [];
  const ws = openWorkspace(mkdtempSync(path.join(os.tmpdir(), 'lab-rm-')));
  const manager = new RunManager({ ws, shell: 'cli', version: 't', emit: (e) => events.push(e) }, () => {
    const w = new FakeWorker();
    workers.push(w);
    return w;
  });
  const config = TrainConfigSchema.parse({ datasetId: 'd1' });
  return { workers, events, manager, config };
}

describe('RunManager', () => {
  it('runs one training process at a time and starts the queued run when the first ends', async () => {
    const { workers, manager, config } = setup();
    manager.enqueue('a', config);
    manager.enqueue('b', config);
    expect(workers).toHaveLength(1);
    expect(workers[0]?.sent[0]).toMatchObject({ type: 'train', runId: 'a' });
    workers[0]?.say({ type: 'event', event: { type: 'run.status', runId: 'a', status: 'completed' } });
    workers[0]?.exit(0);
    expect(workers).toHaveLength(2);
    expect(workers[1]?.sent[0]).toMatchObject({ type: 'train', runId: 'b' });
  });

  it('reports a crashed training process as a failed run with a message, and keeps serving', async () => {
    statuses.length = 0;
    const { workers, events, manager, config } = setup();
    const done = manager.waitFor('a');
    manager.enqueue('a', config);
    workers[0]?.exit(null, 'SIGKILL');
    const outcome = await done;
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toMatch(/was killed \(SIGKILL\)[\s\S]*resume/);
    expect(statuses.at(-1)).toMatchObject({ id: 'a', status: 'failed' });
    expect(events.at(-1)).toMatchObject({ type: 'run.status', runId: 'a', status: 'failed' });
    manager.enqueue('b', config);
    expect(workers).toHaveLength(2);
  });

  it('forwards pause, resume and stop to the active process, and stops a queued run without starting it', async () => {
    const { workers, manager, config } = setup();
    manager.enqueue('a', config);
    manager.enqueue('b', config);
    expect(manager.pause('a')).toBe(true);
    expect(manager.resume('a')).toBe(true);
    expect(manager.stop('b')).toBe(true);
    expect(manager.stop('a')).toBe(true);
    expect(workers[0]?.sent.map((m) => m.type)).toEqual(['train', 'pause', 'resume', 'stop']);
    expect(manager.pause('zzz')).toBe(false);
    workers[0]?.exit(0);
    expect(workers).toHaveLength(1);
  });

  it('passes a worker failure through with its own message', async () => {
    const { workers, manager, config } = setup();
    const done = manager.waitFor('a');
    manager.enqueue('a', config);
    workers[0]?.say({ type: 'failed', runId: 'a', error: { code: 'NAN_LOSS', message: 'loss became NaN at epoch 2 batch 3' } });
    workers[0]?.exit(0);
    expect(await done).toMatchObject({ status: 'failed', error: { code: 'NAN_LOSS' } });
  });

  it('offers "resume" after a crash only when a checkpoint exists to resume from', async () => {
    const { workers, manager, config } = setup();
    const before = manager.waitFor('early');
    void manager.enqueue('early', config);
    workers[0]?.exit(null, 'SIGKILL');
    const early = await before;
    expect(early.error?.message).toMatch(/before its first epoch finished, so there is no checkpoint to resume from: start the run again/);
    expect(early.error?.message).not.toMatch(/resume the run/);
    expect(early.error?.details).toEqual({ resumable: false });

    const { workers: w2, manager: m2, config: c2 } = setup();
    const ws = (m2 as unknown as { ctx: { ws: ReturnType<typeof openWorkspace> } }).ctx.ws;
    const last = path.join(ws.runDir('later'), 'checkpoints', 'last');
    mkdirSync(path.join(last, 'model'), { recursive: true });
    writeFileSync(path.join(last, 'model', 'model.json'), '{}');
    writeFileSync(path.join(last, 'state.json'), JSON.stringify({ epochsDone: 2, bestEpoch: 1, bestValue: 0.5, wait: 0, elapsedS: 3 }));
    const after = m2.waitFor('later');
    void m2.enqueue('later', c2);
    w2[0]?.exit(null, 'SIGKILL');
    const later = await after;
    expect(later.error?.message).toMatch(/resume the run to continue from its last checkpoint \(after epoch 2\)/);
    expect(later.error?.details).toEqual({ resumable: true });
  });

  it('a resumed run reads "queued" as soon as runs.resume returns, not the old "failed"', async () => {
    statuses.length = 0;
    const { manager, config } = setup();
    await manager.enqueue('r', config, true);
    expect(statuses).toContainEqual({ id: 'r', status: 'queued', extra: undefined });
  });
});
