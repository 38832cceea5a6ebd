import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { DatasetSummary, LayoutPreview, SampleEdit, SampleItem, SampleQuery, SplitName } from '../../../shared/dto';
import type { LabErrorData } from '../../../shared/errors';
import { toLabErrorData } from '../../../shared/errors';
import type { LabEvent } from '../../../shared/events';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

export interface ImportJob {
  jobId: string;
  paths: string[];
  phase: 'scan' | 'validate' | 'cache';
  done: number;
  total: number;
  ratePerS: number;
  etaS: number | null;
  startedAt: number;
  /** True once a progress event carrying our id arrived (the server honours caller-chosen ids). */
  confirmed: boolean;
  cancelling: boolean;
}

export type SampleStatus = NonNullable<SampleQuery['status']>;
export type SampleSort = NonNullable<SampleQuery['sort']>;

export interface SampleFilter {
  className: string | null;
  split: SplitName | null;
  status: SampleStatus | null;
  /** part of the file name, case-insensitive */
  search: string;
  sort: SampleSort;
  desc: boolean;
}

/** One applied edit and the edit that takes it back. */
export interface UndoEntry {
  /** what was done, for the toast: 'exclude' | 'include' | 'relabel' */
  kind: 'exclude' | 'include' | 'relabel';
  names: string[];
  undo: SampleEdit[];
}

/** The edit that restores `item` as it is now, for the fields `edit` changes. */
export function oppositeEdit(item: SampleItem, edit: SampleEdit): SampleEdit {
  const back: SampleEdit = { index: item.index };
  if (edit.excluded !== undefined) back.excluded = item.status === 'excluded';
  // null = back to the label the folder gave; otherwise the label it had.
  if (edit.className !== undefined) back.className = item.labelledAs === undefined ? null : item.className;
  return back;
}

/** Thumbnails are fetched in pages of this many items as the grid scrolls to them. */
export const SAMPLE_PAGE = 200;

function newJobId(): string {
  return `import-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Datasets: the list, the one being looked at, inspect → import with live progress, and its samples. */
export const useDatasetsStore = defineStore('datasets', () => {
  const list = ref<DatasetSummary[]>([]);
  const current = ref<DatasetSummary | null>(null);
  const preview = ref<LayoutPreview | null>(null);
  const inspecting = ref(false);
  const importJob = ref<ImportJob | null>(null);
  /** How the last import ended, for the message under the form. */
  const lastImport = ref<'done' | 'cancelled' | 'failed' | null>(null);
  const lastError = ref<LabErrorData | null>(null);

  const sampleFilter = ref<SampleFilter>({ className: null, split: null, status: null, search: '', sort: 'index', desc: false });
  const sampleTotal = ref(0);
  /** Sparse: position in the filtered list → item, filled page by page. */
  const samples = shallowRef<(SampleItem | undefined)[]>([]);
  const samplesLoading = ref(false);
  const loadedPages = new Set<number>();
  const loadingPages = new Set<number>();
  let samplesVersion = 0;
  /** Position (in the filtered list) of the image open in the inspector, and that image. */
  const inspectedPos = ref<number | null>(null);
  const inspected = ref<SampleItem | null>(null);
  const editing = ref(false);
  /** Most recent edit last; undo pops. */
  const undoStack = ref<UndoEntry[]>([]);

  const importing = computed(() => importJob.value !== null);
  const importFraction = computed(() => {
    const job = importJob.value;
    return job && job.total > 0 ? Math.min(1, job.done / job.total) : 0;
  });

  function fail(err: unknown, context: string): LabErrorData {
    const data = toLabErrorData(err);
    lastError.value = data;
    useErrorsStore().report(data, context);
    return data;
  }

  function upsert(summary: DatasetSummary): void {
    const rest = list.value.filter((d) => d.id !== summary.id);
    list.value = [summary, ...rest];
  }

  async function refreshList(): Promise<void> {
    try {
      list.value = await getBridge().call('datasets.list');
    } catch (err) {
      fail(err, 'listDatasets');
    }
  }

  async function open(id: string): Promise<DatasetSummary | null> {
    if (current.value?.id === id) return current.value;
    try {
      const summary = await getBridge().call('datasets.get', id);
      forgetFilterOf(current.value, summary);
      current.value = summary;
      resetSamples();
      closeInspector();
      undoStack.value = [];
      return summary;
    } catch (err) {
      fail(err, 'openDataset');
      return null;
    }
  }

  /** Layout and classes of folders before importing them (fast: no image decoding). */
  async function inspect(paths: string[]): Promise<LayoutPreview | null> {
    inspecting.value = true;
    lastError.value = null;
    try {
      preview.value = await getBridge().call('datasets.inspect', paths);
      // A folder that inspects fine is a fresh start: the last import's failure no longer applies.
      if (lastImport.value === 'failed') lastImport.value = null;
      useErrorsStore().dismissContext('inspectFolder', 'importDataset');
      return preview.value;
    } catch (err) {
      preview.value = null;
      fail(err, 'inspectFolder');
      return null;
    } finally {
      inspecting.value = false;
    }
  }

  async function importFolders(paths: string[], name?: string): Promise<DatasetSummary | null> {
    if (importJob.value) return null;
    const jobId = newJobId();
    importJob.value = { jobId, paths, phase: 'scan', done: 0, total: 0, ratePerS: 0, etaS: null, startedAt: Date.now(), confirmed: false, cancelling: false };
    lastError.value = null;
    lastImport.value = null;
    try {
      const summary = await getBridge().call('datasets.import', name ? { paths, jobId, name } : { paths, jobId });
      forgetFilterOf(current.value, summary);
      current.value = summary;
      upsert(summary);
      preview.value = null;
      resetSamples();
      lastImport.value = 'done';
      return summary;
    } catch (err) {
      const data = toLabErrorData(err);
      if (data.code === 'CANCELLED' || importJob.value?.cancelling) {
        lastImport.value = 'cancelled';
      } else {
        lastImport.value = 'failed';
        fail(data, 'importDataset');
      }
      return null;
    } finally {
      importJob.value = null;
    }
  }

  async function cancelImport(): Promise<void> {
    const job = importJob.value;
    if (!job || job.cancelling) return;
    job.cancelling = true;
    try {
      await getBridge().call('datasets.cancelImport', job.jobId);
    } catch (err) {
      job.cancelling = false;
      fail(err, 'cancelImport');
    }
  }

  async function remove(id: string): Promise<void> {
    try {
      await getBridge().call('datasets.delete', id);
      list.value = list.value.filter((d) => d.id !== id);
      if (current.value?.id === id) current.value = null;
    } catch (err) {
      fail(err, 'deleteDataset');
    }
  }

  function handleEvent(event: LabEvent): void {
    if (event.type === 'import.progress') {
      const job = importJob.value;
      if (!job) return;
      // A server that ignores caller-chosen ids names its own: adopt the first one we see.
      if (event.jobId !== job.jobId) {
        if (job.confirmed) return;
        job.jobId = event.jobId;
      }
      job.confirmed = true;
      job.phase = event.phase;
      job.done = event.done;
      job.total = event.total;
      job.ratePerS = event.ratePerS;
      job.etaS = event.etaS ?? (event.ratePerS > 0 ? Math.max(0, event.total - event.done) / event.ratePerS : null);
    } else if (event.type === 'import.done') {
      // Another shell (CLI, second tab) may have imported: keep the list current.
      if (!importJob.value || importJob.value.jobId !== event.jobId) void refreshList();
    }
  }

  // ---- samples (thumbnail grid) ----

  /** A class filter or search belongs to one dataset: another dataset starts unfiltered (sorting is kept). */
  function forgetFilterOf(was: DatasetSummary | null, next: DatasetSummary): void {
    if (was?.id === next.id) return;
    sampleFilter.value = { ...sampleFilter.value, className: null, split: null, status: null, search: '' };
  }

  function resetSamples(): void {
    samplesVersion += 1;
    loadedPages.clear();
    loadingPages.clear();
    samples.value = [];
    sampleTotal.value = 0;
  }

  function setSampleFilter(filter: Partial<SampleFilter>): void {
    sampleFilter.value = { ...sampleFilter.value, ...filter };
    // The inspector walks the filtered list by position: a new filter makes those positions meaningless.
    closeInspector();
    resetSamples();
    void ensureSamples(0, SAMPLE_PAGE);
  }

  /**
   * After an edit: reload the page holding `pos` and the next (an item leaving the filtered list shifts the rest by
   * one), keeping the grid and its scroll position; other pages stay on screen and reload when scrolled to again.
   * With 100k images a full reload would be hundreds of requests.
   */
  async function refreshAround(pos: number | null): Promise<void> {
    const ds = current.value;
    if (!ds) return;
    samplesVersion += 1;
    loadedPages.clear();
    loadingPages.clear();
    const page = Math.floor(Math.max(0, pos ?? 0) / SAMPLE_PAGE);
    const pages = (page + 1) * SAMPLE_PAGE < sampleTotal.value ? [page, page + 1] : [page];
    await Promise.all(pages.map((p) => loadPage(ds.id, p)));
  }

  /** Makes sure positions [from, to) of the filtered sample list are loaded (page by page). */
  async function ensureSamples(from: number, to: number): Promise<void> {
    const ds = current.value;
    if (!ds) return;
    const firstPage = Math.floor(Math.max(0, from) / SAMPLE_PAGE);
    const lastPage = Math.floor(Math.max(from, to - 1) / SAMPLE_PAGE);
    const jobs: Promise<void>[] = [];
    for (let page = firstPage; page <= lastPage; page++) {
      if (loadedPages.has(page) || loadingPages.has(page)) continue;
      if (loadedPages.size > 0 && page * SAMPLE_PAGE >= sampleTotal.value) break;
      jobs.push(loadPage(ds.id, page));
    }
    await Promise.all(jobs);
  }

  async function loadPage(datasetId: string, page: number): Promise<void> {
    const version = samplesVersion;
    loadingPages.add(page);
    samplesLoading.value = true;
    const f = sampleFilter.value;
    try {
      const result = await getBridge().call('datasets.samples', {
        datasetId,
        offset: page * SAMPLE_PAGE,
        limit: SAMPLE_PAGE,
        ...(f.className ? { className: f.className } : {}),
        ...(f.split ? { split: f.split } : {}),
        ...(f.status ? { status: f.status } : {}),
        ...(f.search.trim() ? { search: f.search.trim() } : {}),
        ...(f.sort !== 'index' ? { sort: f.sort } : {}),
        ...(f.desc ? { desc: true } : {}),
      });
      if (version !== samplesVersion) return; // the filter or dataset changed meanwhile
      loadedPages.add(page);
      sampleTotal.value = result.total;
      const next = samples.value.slice();
      next.length = Math.max(next.length, result.total);
      result.items.forEach((item, i) => {
        next[page * SAMPLE_PAGE + i] = item;
      });
      samples.value = next;
    } catch (err) {
      if (version === samplesVersion) fail(err, 'loadThumbnails');
    } finally {
      loadingPages.delete(page);
      if (version === samplesVersion) samplesLoading.value = loadingPages.size > 0;
    }
  }

  // ---- inspector and edits ----

  /** Opens the inspector on the image at `pos` of the filtered list (loading its page if needed). */
  async function inspectAt(pos: number): Promise<void> {
    if (pos < 0 || (sampleTotal.value > 0 && pos >= sampleTotal.value)) return;
    inspectedPos.value = pos;
    if (!samples.value[pos]) await ensureSamples(pos, pos + 1);
    if (inspectedPos.value === pos) inspected.value = samples.value[pos] ?? null;
  }

  /**
   * Next / previous image of the filtered list. After an edit took the open image out of the list (e.g. excluded
   * while showing only ok images), its successor now sits at the same position.
   */
  async function step(delta: 1 | -1): Promise<void> {
    const pos = inspectedPos.value;
    if (pos === null) return;
    const stillThere = samples.value[pos]?.index === inspected.value?.index;
    const target = stillThere || delta < 0 ? pos + delta : pos;
    if (target < 0 || target >= sampleTotal.value) return;
    await inspectAt(target);
  }

  function closeInspector(): void {
    inspectedPos.value = null;
    inspected.value = null;
  }

  /** The image with manifest index `index` as the engine sees it now (found by its name, then by index). */
  async function fetchItem(index: number, name: string): Promise<SampleItem | null> {
    const ds = current.value;
    if (!ds) return null;
    const page = await getBridge().call('datasets.samples', { datasetId: ds.id, search: name, offset: 0, limit: 5000 });
    return page.items.find((it) => it.index === index) ?? null;
  }

  /** Every other copy of `item`: the one it duplicates and the ones that name it as their original. */
  async function duplicatesOf(item: SampleItem): Promise<SampleItem[]> {
    const ds = current.value;
    if (!ds) return [];
    try {
      const out = new Map<number, SampleItem>();
      const origin = item.duplicateOf ?? item.index;
      // Copies are marked duplicate (or bad for label conflicts / split leaks): look through both kinds.
      for (const status of ['duplicate', 'bad', 'excluded'] as const) {
        const page = await getBridge().call('datasets.samples', { datasetId: ds.id, status, offset: 0, limit: 5000 });
        for (const it of page.items) if (it.index !== item.index && (it.duplicateOf === origin || it.index === origin)) out.set(it.index, it);
      }
      if (item.duplicateOf !== undefined && !out.has(origin)) {
        const all = await getBridge().call('datasets.samples', { datasetId: ds.id, offset: origin, limit: 1 });
        const first = all.items[0];
        if (first && first.index === origin) out.set(origin, first);
      }
      return [...out.values()].sort((a, b) => a.index - b.index);
    } catch (err) {
      fail(err, 'loadDuplicates');
      return [];
    }
  }

  async function applyEdits(edits: SampleEdit[]): Promise<boolean> {
    const ds = current.value;
    if (!ds || edits.length === 0) return false;
    editing.value = true;
    try {
      const summary = await getBridge().call('datasets.edit', { datasetId: ds.id, edits });
      current.value = summary;
      upsert(summary);
      // The filtered list may have changed (status, class): reload around the edited image, keep the inspector's.
      const keep = inspected.value;
      await refreshAround(inspectedPos.value);
      if (keep && edits.some((e) => e.index === keep.index)) inspected.value = (await fetchItem(keep.index, keep.name)) ?? keep;
      return true;
    } catch (err) {
      fail(err, 'editSamples');
      return false;
    } finally {
      editing.value = false;
    }
  }

  /** Exclude / include / relabel images; the opposite edit goes on the undo stack. */
  async function editItems(items: SampleItem[], change: Omit<SampleEdit, 'index'>): Promise<boolean> {
    const edits = items.map((it) => ({ index: it.index, ...change }));
    const undo = items.map((it, i) => oppositeEdit(it, edits[i]!));
    const kind: UndoEntry['kind'] = change.className !== undefined ? 'relabel' : change.excluded ? 'exclude' : 'include';
    const ok = await applyEdits(edits);
    if (ok) undoStack.value = [...undoStack.value.slice(-49), { kind, names: items.map((it) => it.name), undo }];
    return ok;
  }

  async function toggleExcluded(item: SampleItem): Promise<boolean> {
    return editItems([item], { excluded: item.status !== 'excluded' });
  }

  async function relabel(item: SampleItem, className: string): Promise<boolean> {
    if (className === item.className) return false;
    return editItems([item], { className });
  }

  /** Takes back the last edit (the opposite edit, persisted like any other). */
  async function undo(): Promise<boolean> {
    const last = undoStack.value.at(-1);
    if (!last) return false;
    const ok = await applyEdits(last.undo);
    if (ok) undoStack.value = undoStack.value.slice(0, -1);
    return ok;
  }

  return {
    inspectedPos,
    inspected,
    editing,
    undoStack,
    inspectAt,
    step,
    closeInspector,
    duplicatesOf,
    editItems,
    toggleExcluded,
    relabel,
    undo,
    list,
    current,
    preview,
    inspecting,
    importJob,
    importing,
    importFraction,
    lastImport,
    lastError,
    sampleFilter,
    sampleTotal,
    samples,
    samplesLoading,
    refreshList,
    open,
    inspect,
    importFolders,
    cancelImport,
    remove,
    handleEvent,
    resetSamples,
    setSampleFilter,
    ensureSamples,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useDatasetsStore, import.meta.hot));
