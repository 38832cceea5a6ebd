/** runs.* refuse what cannot work with a clear error before anything is created (never "INTERNAL … please report"). */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importDataset } from '../../datasets/import';
import { distinct, put, tempDir, tempWorkspace } from '../../datasets/test-fixtures';
import type { WorkerHandle } from '../../worker/protocol';
import { createLabService } from '../lab-service';
import { localClient } from '../local-client';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

let started = 0;
const idleWorker = (): WorkerHandle => {
  started++;
  return { send: () => {}, onMessage: () => {}, onExit: () => {}, drain: async () => {}, kill: () => {} };
};

describe('runs.* safety', () => {
  it('runs.start refuses --size 512 with batch 32 with the memory numbers and a batch size, creating no run', async () => {
    const work = tempWorkspace();
    const images = tempDir('lab-runs-safety-');
    cleanups.push(work.cleanup, images.cleanup);
    for (const [c, name] of ['a', 'b'].entries()) for (let i = 0; i < 2; i++) await put(path.join(images.dir, name, `${i}.png`), await distinct(c, i));
    const ds = await importDataset(work.ws, { paths: [images.dir] });
    const service = createLabService({ ws: work.ws, shell: 'cli', launcher: idleWorker, version: 'test' });
    cleanups.push(() => service.dispose());
    const lab = localClient(service);
    started = 0;
    await expect(lab.call('runs.start', { datasetId: ds.id, input: { size: 512, channels: 3 }, batchSize: 32 })).rejects.toMatchObject({
      code: 'BAD_CONFIG',
      message: expect.stringMatching(/need more memory .* per image × batch 32 .* Use batchSize \d+ or less/),
    });
    expect(await lab.call('runs.list')).toEqual([]);
    // The guided tune and the search train with the same settings: refused the same way.
    await expect(lab.call('tuning.start', { config: { datasetId: ds.id, input: { size: 512, channels: 3 }, batchSize: 32 } })).rejects.toMatchObject({ code: 'BAD_CONFIG' });
    expect(started).toBe(0);
  });

  it('an id that tries to leave the workspace gets a clear error, not INTERNAL', async () => {
    const work = tempWorkspace();
    const service = createLabService({ ws: work.ws, shell: 'cli', launcher: idleWorker, version: 'test' });
    cleanups.push(work.cleanup, () => service.dispose());
    const lab = localClient(service);
    await expect(lab.call('runs.report', '../../x')).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/Invalid id "..\/..\/x"/) });
    for (const call of [() => lab.call('runs.get', '../x'), () => lab.call('runs.export', { runId: '..', format: 'tfjs' })]) {
      const err = await call().then(() => null, (e: { code: string; message: string }) => e);
      expect(['BAD_ARGUMENT', 'NOT_FOUND']).toContain(err?.code);
      expect(err?.message).not.toMatch(/report/i);
    }
  });
});
