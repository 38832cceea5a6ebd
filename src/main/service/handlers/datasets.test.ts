import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LabEvent } from '../../../shared/events';
import { distinct, put, tempDir, tempWorkspace } from '../../datasets/test-fixtures';
import type { ServiceContext } from '../context';
import { datasetHandlers } from './datasets';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function setup(perClass: number): Promise<{ dir: string; ctx: ServiceContext; events: LabEvent[] }> {
  const data = tempDir('handlers');
  const work = tempWorkspace();
  cleanups.push(data.cleanup, work.cleanup);
  for (let i = 0; i < perClass; i++) {
    await put(path.join(data.dir, 'a', `${i}.png`), await distinct(0, i));
    await put(path.join(data.dir, 'b', `${i}.png`), await distinct(1, i));
  }
  const events: LabEvent[] = [];
  return { dir: data.dir, ctx: { ws: work.ws, emit: (e) => events.push(e), shell: 'cli', version: 'test' }, events };
}

describe('datasets.* handlers', () => {
  it('imports with progress events for the job, then import.done, and lists, gets, pages and deletes the dataset', async () => {
    const { dir, ctx, events } = await setup(6);
    const h = datasetHandlers(ctx);
    const preview = await h['datasets.inspect']([dir]);
    expect(preview.classes).toEqual(['a', 'b']);
    const summary = await h['datasets.import']({ paths: [dir], jobId: 'job-1', input: { size: 8, channels: 1, fit: 'squash' } });
    const progress = events.filter((e): e is Extract<LabEvent, { type: 'import.progress' }> => e.type === 'import.progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.jobId === 'job-1')).toBe(true);
    const lastValidate = progress.filter((e) => e.phase === 'validate').at(-1);
    expect(lastValidate).toMatchObject({ done: 12, total: 12 });
    expect(events.at(-1)).toEqual({ type: 'import.done', jobId: 'job-1', datasetId: summary.id });
    // the cache for the chosen input was built during the import
    expect(progress.some((e) => e.phase === 'cache')).toBe(true);

    expect((await h['datasets.list']()).map((d) => d.id)).toEqual([summary.id]);
    expect((await h['datasets.get'](summary.id)).images).toBe(12);
    const page = await h['datasets.samples']({ datasetId: summary.id, className: 'b', offset: 0, limit: 100 });
    expect(page.total).toBe(6);
    expect(await h['datasets.delete'](summary.id)).toEqual({ deleted: true });
    expect(await h['datasets.list']()).toEqual([]);
    await expect(h['datasets.get'](summary.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // the user's images are still there
    expect((await h['datasets.inspect']([dir])).files).toBe(12);
  });

  it('refuses a second import of the same folders while one runs', async () => {
    const { dir, ctx } = await setup(10);
    const h = datasetHandlers(ctx);
    const first = h['datasets.import']({ paths: [dir], jobId: 'one' });
    await expect(h['datasets.import']({ paths: [dir], jobId: 'two' })).rejects.toMatchObject({ code: 'BUSY', message: expect.stringContaining(dir) });
    expect((await first).images).toBe(20);
  });

  it('cancels a running import by its jobId', async () => {
    const { dir, ctx, events } = await setup(40);
    const h = datasetHandlers(ctx);
    const running = h['datasets.import']({ paths: [dir], jobId: 'job-2' });
    // as a shell would: the cancel request arrives later, as its own message
    const cancel = await new Promise((resolve) => setTimeout(() => resolve(h['datasets.cancelImport']('job-2')), 0));
    expect(cancel).toEqual({ cancelled: true });
    await expect(running).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(events.some((e) => e.type === 'import.done')).toBe(false);
    expect(await h['datasets.list']()).toEqual([]);
    expect(await h['datasets.cancelImport']('job-2')).toEqual({ cancelled: false });
  });
});
