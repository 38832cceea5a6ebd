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

  it('an import error goes away once a folder inspects fine (it is not left over a working folder)', async () => {
    bridge.on('datasets.import', () => {
      throw new LabError('NO_IMAGES', 'No images found in /data/empty: put images in one subfolder per class.');
    });
    const ds = useDatasetsStore();
    await ds.importFolders(['/data/empty']);
    expect(useErrorsStore().items.map((e) => e.context)).toContain('importDataset');
    bridge.on('datasets.inspect', (paths) => ({ paths, layout: 'class-folders', classes: ['a', 'b'], files: 4, warnings: [] }));
    await ds.inspect(['/data/ab']);
    expect(ds.lastImport).toBeNull();
    expect(useErrorsStore().items).toEqual([]);
  });

  it('a class filter belongs to its dataset: opening another dataset shows all its images', async () => {
    bridge.on('datasets.get', (id) => datasetSummary({ id })).on('datasets.samples', () => ({ total: 0, items: [] }));
    const ds = useDatasetsStore();
    await ds.open('ds-a');
    ds.setSampleFilter({ className: 'shirt', search: 'x', sort: 'name' });
    await ds.open('ds-b');
    expect(ds.sampleFilter.className).toBeNull();
    expect(ds.sampleFilter.search).toBe('');
    expect(ds.sampleFilter.sort).toBe('name'); // how to sort is the user's habit, kept
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

  describe('browser: filters, inspector, edits', () => {
    /** A tiny engine: status follows exclusions, labels follow relabels, queries honour class/status/search. */
    function scriptEngine(n = 6): { excluded: Set<number>; labels: Map<number, string>; edits: unknown[] } {
      const excluded = new Set<number>();
      const labels = new Map<number, string>();
      const edits: unknown[] = [];
      const item = (i: number): SampleItem => {
        const given = i % 2 ? 'square' : 'circle';
        const cls = labels.get(i) ?? given;
        return {
          index: i,
          name: `img${i}.png`,
          path: `/d/${given}/img${i}.png`,
          className: cls,
          split: 'train',
          status: excluded.has(i) ? 'excluded' : 'ok',
          ...(cls !== given ? { labelledAs: given } : {}),
        };
      };
      bridge
        .on('datasets.get', () => datasetSummary())
        .on('datasets.samples', (q) => {
          const items = Array.from({ length: n }, (_, i) => item(i)).filter(
            (s) => (!q.className || s.className === q.className) && (!q.status || s.status === q.status) && (!q.search || s.name.includes(q.search)),
          );
          if (q.desc) items.reverse();
          const offset = q.offset ?? 0;
          return { total: items.length, items: items.slice(offset, offset + (q.limit ?? 200)) };
        })
        .on('datasets.edit', (req) => {
          edits.push(req.edits);
          for (const e of req.edits) {
            if (e.excluded === true) excluded.add(e.index);
            if (e.excluded === false) excluded.delete(e.index);
            if (e.className === null) labels.delete(e.index);
            else if (e.className !== undefined) labels.set(e.index, e.className);
          }
          return datasetSummary({ images: 20 - excluded.size });
        });
      return { excluded, labels, edits };
    }

    it('sends status, search, sort and direction with each page request', async () => {
      scriptEngine();
      const ds = useDatasetsStore();
      await ds.open('ds1');
      ds.setSampleFilter({ status: 'excluded', search: 'img3', sort: 'name', desc: true });
      await flush();
      const q = bridge.calls.filter((c) => c.name === 'datasets.samples').at(-1)?.args[0];
      expect(q).toMatchObject({ datasetId: 'ds1', status: 'excluded', search: 'img3', sort: 'name', desc: true, offset: 0 });
    });

    it('excluding from the inspector saves the edit, shows the new status, and undo sends the opposite edit', async () => {
      const engine = scriptEngine();
      const ds = useDatasetsStore();
      await ds.open('ds1');
      await ds.ensureSamples(0, 10);
      await ds.inspectAt(2);
      expect(ds.inspected?.name).toBe('img2.png');

      expect(await ds.toggleExcluded(ds.inspected!)).toBe(true);
      expect(engine.edits.at(-1)).toEqual([{ index: 2, excluded: true }]);
      expect(ds.inspected?.status).toBe('excluded');
      expect(ds.current?.images).toBe(19);
      expect(ds.undoStack.at(-1)?.kind).toBe('exclude');

      expect(await ds.undo()).toBe(true);
      expect(engine.edits.at(-1)).toEqual([{ index: 2, excluded: false }]);
      expect(ds.inspected?.status).toBe('ok');
      expect(ds.undoStack).toHaveLength(0);
      expect(await ds.undo()).toBe(false);
    });

    it('undoing a relabel gives back the label the folder gave', async () => {
      const engine = scriptEngine();
      const ds = useDatasetsStore();
      await ds.open('ds1');
      await ds.inspectAt(0);
      await ds.relabel(ds.inspected!, 'square');
      expect(ds.inspected?.className).toBe('square');
      expect(ds.inspected?.labelledAs).toBe('circle');
      await ds.relabel(ds.inspected!, 'triangle');
      await ds.undo();
      // back to the previous relabel, not to the folder's label
      expect(engine.edits.at(-1)).toEqual([{ index: 0, className: 'square' }]);
      await ds.undo();
      expect(engine.edits.at(-1)).toEqual([{ index: 0, className: null }]);
      expect(ds.inspected?.className).toBe('circle');
    });

    it('stepping on after the open image left the filtered list shows the image that took its place', async () => {
      scriptEngine();
      const ds = useDatasetsStore();
      await ds.open('ds1');
      ds.setSampleFilter({ status: 'ok' });
      await flush();
      await ds.inspectAt(1);
      expect(ds.inspected?.index).toBe(1);
      await ds.toggleExcluded(ds.inspected!); // gone from the 'ok' list
      expect(ds.sampleTotal).toBe(5);
      await ds.step(1);
      expect(ds.inspected?.index).toBe(2);
      await ds.step(-1);
      expect(ds.inspected?.index).toBe(0);
    });

    it('a new filter closes the inspector (its position belonged to the old list)', async () => {
      scriptEngine();
      const ds = useDatasetsStore();
      await ds.open('ds1');
      await ds.inspectAt(4);
      expect(ds.inspected?.index).toBe(4);
      ds.setSampleFilter({ search: 'img1' });
      expect(ds.inspectedPos).toBeNull();
      expect(ds.inspected).toBeNull();
    });

    it('an edit deep in a 60,000-image list reloads only the pages around it, not the whole list', async () => {
      scriptEngine(60000);
      const ds = useDatasetsStore();
      await ds.open('ds1');
      await ds.ensureSamples(0, 10);
      await ds.inspectAt(50000);
      expect(ds.inspected?.index).toBe(50000);
      const before = bridge.calls.length;
      await ds.toggleExcluded(ds.inspected!);
      const pages = bridge.calls.slice(before).filter((c) => c.name === 'datasets.samples' && !(c.args[0] as { search?: string }).search);
      expect(pages.map((c) => (c.args[0] as { offset: number }).offset)).toEqual([50000 - (50000 % SAMPLE_PAGE), 50000 - (50000 % SAMPLE_PAGE) + SAMPLE_PAGE]);
      expect(ds.inspected?.status).toBe('excluded');
      expect(ds.samples[0]?.index).toBe(0); // the rest of the grid stays on screen
    });

    it('a refused edit reports the engine message and leaves nothing to undo', async () => {
      scriptEngine();
      bridge.on('datasets.edit', () => {
        throw new LabError('BAD_ARGUMENT', 'Excluding this would leave class "circle" with no images: keep at least two.');
      });
      const ds = useDatasetsStore();
      await ds.open('ds1');
      await ds.inspectAt(0);
      expect(await ds.toggleExcluded(ds.inspected!)).toBe(false);
      expect(ds.undoStack).toHaveLength(0);
      expect(useErrorsStore().items[0]?.message).toContain('circle');
    });
  });
});
