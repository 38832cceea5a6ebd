import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { LabError } from '../../../shared/errors';
import type { DatasetSummary, SampleItem } from '../../../shared/dto';
import { setBridge } from '../api/bridge';
import { createFakeBridge, deferred, flush, type FakeBridge } from '../testing/fake-bridge';
import { datasetSummary } from '../testing/fixtures';
import { SAMPLE_PAGE, useDatasetsStore } from './datasets';
import { useErrorsStore } from './errors';

describe('datasets store', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = createFakeBridge();
    setBridge(bridge);
  });

  it('shows import progress from import.progress events of its own job, then the summary', async () => {
    const answer = deferred<DatasetSummary>();
    bridge.on('datasets.import', () => answer.promise);
    const ds = useDatasetsStore();
    const done = ds.importFolders(['/data/shapes']);
    const jobId = (bridge.calls[0]?.args[0] as { jobId: string }).jobId;
    expect(jobId).toBeTruthy();
    expect(ds.importing).toBe(true);

    ds.handleEvent({ type: 'import.progress', jobId, phase: 'validate', done: 5, total: 20, ratePerS: 10, etaS: 1.5 });
    expect(ds.importJob?.done).toBe(5);
    expect(ds.importFraction).toBe(0.25);
    expect(ds.importJob?.etaS).toBe(1.5);
    // another shell's import does not move our bar
    ds.handleEvent({ type: 'import.progress', jobId: 'someone-else', phase: 'validate', done: 19, total: 20, ratePerS: 10, etaS: 0.1 });
    expect(ds.importJob?.done).toBe(5);

    answer.resolve(datasetSummary());
    await done;
    expect(ds.importing).toBe(false);
    expect(ds.current?.classes.map((c) => c.name)).toEqual(['circle', 'square']);
    expect(ds.list[0]?.id).toBe('ds1');
    expect(ds.lastImport).toBe('done');
  });

  it('estimates the ETA from the rate when the engine gives none, and adopts a server-chosen job id', async () => {
    const answer = deferred<DatasetSummary>();
    bridge.on('datasets.import', () => answer.promise);
    const ds = useDatasetsStore();
    void ds.importFolders(['/data/shapes']);
    ds.handleEvent({ type: 'import.progress', jobId: 'server-42', phase: 'cache', done: 10, total: 30, ratePerS: 4, etaS: null });
    expect(ds.importJob?.jobId).toBe('server-42');
    expect(ds.importJob?.etaS).toBe(5);
    answer.resolve(datasetSummary());
  });

  it('cancel asks the engine to stop that job and ends quietly, not as an error', async () => {
    const answer = deferred<DatasetSummary>();
    bridge
      .on('datasets.import', () => answer.promise)
      .on('datasets.cancelImport', () => {
        answer.reject(new LabError('CANCELLED', 'Import cancelled.'));
        return { cancelled: true };
      });
    const ds = useDatasetsStore();
    const done = ds.importFolders(['/data/shapes']);
    const jobId = (bridge.calls[0]?.args[0] as { jobId: string }).jobId;
    await ds.cancelImport();
    expect(await done).toBeNull();
    expect(bridge.calls[1]).toEqual({ name: 'datasets.cancelImport', args: [jobId] });
    expect(ds.lastImport).toBe('cancelled');
    expect(useErrorsStore().items).toHaveLength(0);
  });

  it('a folder that cannot be imported shows the engine message naming the path', async () => {
    bridge.on('datasets.import', () => {
      throw new LabError('NO_IMAGES', 'No images found in /data/empty: put images in one subfolder per class.');
    });
    const ds = useDatasetsStore();
    expect(await ds.importFolders(['/data/empty'])).toBeNull();
    expect(ds.lastImport).toBe('failed');
    expect(ds.lastError?.message).toContain('/data/empty');
    expect(useErrorsStore().items[0]?.code).toBe('NO_IMAGES');
  });

  it('inspect shows layout and classes; a failure clears the stale preview', async () => {
    bridge.on('datasets.inspect', (paths) => ({ paths, layout: 'class-folders', classes: ['a', 'b'], files: 4, warnings: [] }));
    const ds = useDatasetsStore();
    await ds.inspect(['/data/ab']);
    expect(ds.preview?.classes).toEqual(['a', 'b']);
    bridge.on('datasets.inspect', () => {
      throw new LabError('NOT_FOUND', 'Folder /data/nope does not exist: check the path.');
    });
    await ds.inspect(['/data/nope']);
    expect(ds.preview).toBeNull();
    expect(ds.lastError?.code).toBe('NOT_FOUND');
  });

  it('loads thumbnails page by page with the class filter, dropping answers for an old filter', async () => {
    const all: SampleItem[] = Array.from({ length: 450 }, (_, i) => ({
      index: i,
      name: `${i}.png`,
      path: `/d/${i}.png`,
      className: i % 2 ? 'square' : 'circle',
      split: 'train',
      status: 'ok',
    }));
    bridge.on('datasets.get', () => datasetSummary()).on('datasets.samples', (q) => {
      const items = all.filter((s) => !q.className || s.className === q.className);
      const offset = q.offset ?? 0;
      return { total: items.length, items: items.slice(offset, offset + (q.limit ?? 200)) };
    });
    const ds = useDatasetsStore();
    await ds.open('ds1');
    await ds.ensureSamples(0, 10);
    expect(ds.sampleTotal).toBe(450);
    expect(ds.samples[SAMPLE_PAGE]).toBeUndefined();
    await ds.ensureSamples(SAMPLE_PAGE, SAMPLE_PAGE + 10);
    expect(ds.samples[SAMPLE_PAGE]?.index).toBe(SAMPLE_PAGE);
    const before = bridge.calls.length;
    await ds.ensureSamples(0, 10); // already there: no new call
    expect(bridge.calls.length).toBe(before);

    ds.setSampleFilter({ className: 'square' });
    await flush();
    expect(ds.sampleTotal).toBe(225);
    expect(ds.samples[0]?.className).toBe('square');
    expect((bridge.calls.at(-1)?.args[0] as { className?: string }).className).toBe('square');
  });
});
