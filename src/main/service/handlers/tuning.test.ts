import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../shared/events';
import { TuneRequestSchema, type TuneState } from '../../../shared/tuning';
import { distinct, put, tempDir, tempWorkspace } from '../../datasets/test-fixtures';
import { listRuns } from '../../runs';
import { runTuneJob } from '../../tuning';
import type { ParentMessage, WorkerHandle, WorkerLauncher, WorkerMessage } from '../../worker/protocol';
import { crashReason } from '../../worker/supervisor';
import type { ServiceContext } from '../context';
import { datasetHandlers } from './datasets';
import { tuningHandlers } from './tuning';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A training process in this process: runs the tune job like training-worker.ts does, or dies at once. */
function inProcessLauncher(ctx: ServiceContext, opts: { crash?: boolean } = {}): WorkerLauncher {
  return (): WorkerHandle => {
    const listeners: ((m: WorkerMessage) => void)[] = [];
    const exits: ((code: number | null, signal: string | null, reason: string) => void)[] = [];
    const abort = new AbortController();
    const exit = (code: number): void => void setTimeout(() => exits.forEach((l) => l(code, null, crashReason(code, null, []))), 5);
    return {
      send: (m: ParentMessage) => {
        if (m.type === 'stop') abort.abort();
        if (m.type !== 'tune') return;
        if (opts.crash) return exit(1);
        void runTuneJob(ctx.ws, m.tuneId, { emit: (event) => listeners.forEach((l) => l({ type: 'event', event })), signal: abort.signal }, { rerun: m.rerun }).then(
          () => {
            listeners.forEach((l) => l({ type: 'done', runId: m.tuneId }));
            exit(0);
          },
          () => exit(1),
        );
      },
      onMessage: (l) => listeners.push(l),
      onExit: (l) => exits.push(l),
      drain: async () => abort.abort(),
      kill: () => abort.abort(),
    };
  };
}

async function setup(): Promise<{ ctx: ServiceContext; events: LabEvent[]; datasetId: string }> {
  const data = tempDir('tune-handlers');
  const work = tempWorkspace();
  cleanups.push(data.cleanup, work.cleanup);
  for (let i = 0; i < 8; i++) {
    await put(path.join(data.dir, 'a', `${i}.png`), await distinct(0, i));
    await put(path.join(data.dir, 'b', `${i}.png`), await distinct(1, i));
  }
  const events: LabEvent[] = [];
  const ctx: ServiceContext = { ws: work.ws, emit: (e) => events.push(e), shell: 'cli', version: 'test' };
  const summary = await datasetHandlers(ctx)['datasets.import']({ paths: [data.dir] });
  return { ctx, events, datasetId: summary.id };
}

const waitEnd = (events: LabEvent[], id: string, from = 0): Promise<void> =>
  new Promise((resolve) => {
    const poll = (): void => {
      if (events.slice(from).some((e) => e.type === 'tune.status' && e.tuneId === id && e.status !== 'running')) resolve();
      else setTimeout(poll, 20);
    };
    poll();
  });

const request = (datasetId: string, steps: number[], resumeId?: string) =>
  TuneRequestSchema.parse({
    config: { datasetId, input: { size: 8, channels: 1 }, model: { kind: 'mlp', hidden: [{ units: 8, dropout: 0 }] }, optimizer: { lr: 0.01 }, batchSize: 4 },
    steps,
    budgets: { overfitPerClass: 3, overfitMaxEpochs: 40 },
    ...(resumeId ? { resumeId } : {}),
  });

describe('tuning.* handlers', () => {
  it('runs the guide in a training process, reports tune.* events, and resumes at the next step', async () => {
    const { ctx, events, datasetId } = await setup();
    const h = tuningHandlers(ctx, inProcessLauncher(ctx));
    const started = await h['tuning.start'](request(datasetId, [1]));
    expect(started.status).toBe('running');
    await waitEnd(events, started.id);
    const done = (await h['tuning.get'](started.id)) as TuneState;
    expect(done.status).toBe('completed');
    expect(done.results['1']?.verdict).toBe('pass');
    expect(events.some((e) => e.type === 'tune.step' && e.step === 1 && e.result !== undefined)).toBe(true);
    expect((await h['tuning.list']()).map((s) => [s.id, s.done, s.total])).toEqual([[started.id, 1, 1]]);

    const mark = events.length;
    await h['tuning.start'](request(datasetId, [1, 2], started.id));
    await waitEnd(events, started.id, mark);
    const resumed = (await h['tuning.get'](started.id)) as TuneState;
    expect(resumed.results['1']!.finishedAt).toBe(done.results['1']!.finishedAt);
    expect(resumed.results['2']?.runIds).toHaveLength(1);
    expect(events.slice(mark).filter((e) => e.type === 'tune.step').map((e) => (e as { step: number }).step)).toEqual([2, 2]);
    const runs = await listRuns(ctx.ws);
    expect(runs.filter((r) => r.tags.includes(`tune:${started.id}`) && r.tags.includes('step:2'))).toHaveLength(1);
  });

  it('shows a tune whose process died as failed, with how to resume it', async () => {
    const { ctx, events, datasetId } = await setup();
    const h = tuningHandlers(ctx, inProcessLauncher(ctx, { crash: true }));
    const started = await h['tuning.start'](request(datasetId, [1, 2]));
    await waitEnd(events, started.id);
    const state = await h['tuning.get'](started.id);
    expect(state.status).toBe('failed');
    expect(state.error?.message).toMatch(new RegExp(`resumeId "${started.id}".*step 1`));
  });

  it('names the unknown tune', async () => {
    const { ctx } = await setup();
    const h = tuningHandlers(ctx, inProcessLauncher(ctx));
    await expect(h['tuning.get']('nope')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('"nope"') });
  });
});
