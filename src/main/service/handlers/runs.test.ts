import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TrainConfigSchema } from '../../../shared/config';
import type { LabEvent } from '../../../shared/events';
import { distinct, put, tempDir, tempWorkspace } from '../../datasets/test-fixtures';
import { createRun } from '../../runs';
import { PauseGate } from '../../worker/pause-gate';
import { runTrainJob } from '../../worker/jobs';
import type { WorkerHandle } from '../../worker/protocol';
import type { Workspace } from '../../workspace';
import { createLabService } from '../lab-service';
import { localClient } from '../local-client';
import { datasetHandlers } from './datasets';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A training process that never answers: these tests start no training through the service. */
const idleWorker = (): WorkerHandle => ({ send: () => {}, onMessage: () => {}, onExit: () => {}, drain: async () => {}, kill: () => {} });

function setup(): { ws: Workspace; lab: ReturnType<typeof localClient> } {
  const work = tempWorkspace();
  const service = createLabService({ ws: work.ws, shell: 'cli', launcher: idleWorker, version: 'test' });
  cleanups.push(work.cleanup, () => service.dispose());
  // Through the same argument validation as IPC and the WebSocket server.
  return { ws: work.ws, lab: localClient(service) };
}

const meta = { datasetName: 'Toys', classes: ['a', 'b'], backend: 'cpu', datasetFingerprint: 'x' };

describe('runs.rename', () => {
  it('renames a run: the new (trimmed) name is what runs.list and runs.get show', async () => {
    const { ws, lab } = setup();
    const run = await createRun(ws, TrainConfigSchema.parse({ datasetId: 'd1', name: 'first try' }), meta);
    const other = await createRun(ws, TrainConfigSchema.parse({ datasetId: 'd1', name: 'other run' }), meta);

    const events: LabEvent[] = [];
    lab.onEvent((e) => events.push(e));
    const renamed = await lab.call('runs.rename', run.id, '  Adam lr 3e-3 baseline  ');
    expect(renamed).toMatchObject({ id: run.id, name: 'Adam lr 3e-3 baseline', status: 'queued' });
    // Every open window hears of it.
    expect(events).toContainEqual({ type: 'run.renamed', runId: run.id, name: 'Adam lr 3e-3 baseline' });
    const list = await lab.call('runs.list');
    expect(list.find((r) => r.id === run.id)?.name).toBe('Adam lr 3e-3 baseline');
    expect(list.find((r) => r.id === other.id)?.name).toBe('other run');
    expect((await lab.call('runs.get', run.id)).name).toBe('Adam lr 3e-3 baseline');
    // Unicode names are kept as typed; exactly 200 characters is allowed.
    expect((await lab.call('runs.rename', run.id, '学习率 对比')).name).toBe('学习率 对比');
    expect((await lab.call('runs.rename', run.id, 'x'.repeat(200))).name).toHaveLength(200);
  });

  it('rejects an empty, blank or over-long name with a message naming the field, and keeps the old name', async () => {
    const { ws, lab } = setup();
    const run = await createRun(ws, TrainConfigSchema.parse({ datasetId: 'd1', name: 'keep me' }), meta);
    for (const bad of ['', '   \t ', 'x'.repeat(201)]) {
      await expect(lab.call('runs.rename', run.id, bad)).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/name/) });
    }
    // A missing name is refused by the contract before the handler runs.
    await expect((lab.call as (name: string, ...args: unknown[]) => Promise<unknown>)('runs.rename', run.id)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    expect((await lab.call('runs.get', run.id)).name).toBe('keep me');
  });

  it('says NOT_FOUND for a run that does not exist', async () => {
    const { lab } = setup();
    await expect(lab.call('runs.rename', 'no-such-run', 'new name')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no-such-run') });
  });

  it("a rename while the run trains survives the training process's own writes to the end", async () => {
    const { ws, lab } = setup();
    const data = tempDir('rename-train');
    cleanups.push(data.cleanup);
    for (let i = 0; i < 8; i++) {
      await put(path.join(data.dir, 'a', `${i}.png`), await distinct(0, i));
      await put(path.join(data.dir, 'b', `${i}.png`), await distinct(1, i));
    }
    const ctx = { ws, emit: () => {}, shell: 'cli' as const, version: 'test' };
    const dataset = await datasetHandlers(ctx)['datasets.import']({ paths: [data.dir], split: { val: 0.25, test: 0.25, seed: 1 } });
    const config = TrainConfigSchema.parse({
      datasetId: dataset.id,
      name: 'before',
      epochs: 3,
      batchSize: 4,
      input: { size: 8, channels: 3 },
      model: { kind: 'cnn', blocks: [{ filters: 2 }] },
      earlyStopping: { enabled: false },
    });
    const run = await createRun(ws, config, { ...meta, classes: dataset.classes.map((c) => c.name) });
    // The plain JS backend: this test is about run.json, not about which backend trains fastest.
    vi.stubEnv('LAB_BACKEND', 'cpu');
    cleanups.push(() => vi.unstubAllEnvs());

    // The training job as the training process runs it; the rename arrives after its first epoch.
    const renames: Promise<{ name: string; status: string }>[] = [];
    const statuses: string[] = [];
    const emit = (event: LabEvent): void => {
      if (event.type === 'run.status') statuses.push(event.status);
      if (event.type === 'run.epoch' && event.epoch === 1) renames.push(lab.call('runs.rename', run.id, 'renamed mid-training'));
    };
    await runTrainJob(ws, run.id, config, false, { emit, signal: new AbortController().signal, gate: new PauseGate() });

    expect(renames).toHaveLength(1);
    expect(await renames[0]).toMatchObject({ name: 'renamed mid-training', status: 'running' });
    expect(statuses.at(-1)).toBe('completed');
    const detail = await lab.call('runs.get', run.id);
    // Later epochs, the test evaluation and the final status were all written after the rename, and kept it.
    expect(detail).toMatchObject({ name: 'renamed mid-training', status: 'completed', epochsDone: 3 });
    expect(detail.testAccuracy).not.toBeNull();
    expect((await lab.call('runs.list')).find((r) => r.id === run.id)?.name).toBe('renamed mid-training');
  }, 60_000);
});
