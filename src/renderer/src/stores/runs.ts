import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ExportFormat, ExportRequest, ExportResult, RunDetail, RunSummary, ServingStatus } from '../../../shared/dto';
import { TrainConfigSchema, type TrainConfigInput } from '../../../shared/config';
import type { LabErrorData } from '../../../shared/errors';
import { toLabErrorData } from '../../../shared/errors';
import { parseOrThrow } from '../../../shared/validation';
import type { LabEvent } from '../../../shared/events';
import { getBridge } from '../api/bridge';
import { applyRunEvent, applyRunEventToSummary, isFinished, mergeDetail } from '../lib/run-merge';
import { useErrorsStore } from './errors';
import type { EngineOptionsInput } from '../../../shared/engine-options';

/** Events for a run we do not hold yet (it is starting) are kept briefly, then replayed. */
const MAX_BUFFERED = 2000;

/** Training runs: the list, the one on screen with its live curves, and the controls. */
export const useRunsStore = defineStore('runs', () => {
  const list = ref<RunSummary[]>([]);
  /** Replaced (not mutated) on every change so charts watching it shallowly redraw. */
  const current = shallowRef<RunDetail | null>(null);
  const starting = ref(false);
  /** Which control is waiting for the engine: stop, pause, resume. */
  const controlling = ref<'stop' | 'pause' | 'resume' | null>(null);
  const exporting = ref(false);
  const exportResult = ref<ExportResult | null>(null);
  /** The local prediction API (models.serve): one at a time for the whole app. */
  const serving = ref<ServingStatus>({ serving: false });
  const servingBusy = ref(false);
  const reporting = ref(false);
  const lastError = ref<LabErrorData | null>(null);
  const buffered = new Map<string, LabEvent[]>();

  const isLive = computed(() => {
    const s = current.value?.status;
    return s === 'queued' || s === 'running' || s === 'paused';
  });
  const bestEpoch = computed(() => current.value?.bestEpoch ?? current.value?.epochLogs.at(-1)?.bestEpoch ?? null);

  function fail(err: unknown, context: string): LabErrorData {
    const data = toLabErrorData(err);
    lastError.value = data;
    useErrorsStore().report(data, context);
    return data;
  }

  function upsertSummary(summary: RunSummary): void {
    const i = list.value.findIndex((r) => r.id === summary.id);
    if (i >= 0) list.value.splice(i, 1, summary);
    else list.value.unshift(summary);
  }

  function summaryOf(d: RunDetail): RunSummary {
    const { config: _c, classes: _cl, epochLogs: _e, batchLogs: _b, evaluation: _ev, hasModel: _h, ...summary } = d;
    return summary;
  }

  async function refreshList(): Promise<void> {
    try {
      list.value = await getBridge().call('runs.list');
    } catch (err) {
      fail(err, 'listRuns');
    }
  }

  function setCurrent(detail: RunDetail): void {
    let d = detail;
    const pending = buffered.get(d.id);
    if (pending) {
      buffered.delete(d.id);
      for (const e of pending) d = applyRunEvent(d, e);
    }
    current.value = d;
  }

  /** Shows a run: its logs from disk merged with any live events already received. */
  async function open(id: string): Promise<RunDetail | null> {
    if (current.value?.id !== id) exportResult.value = null;
    try {
      const fresh = await getBridge().call('runs.get', id);
      setCurrent(mergeDetail(current.value, fresh));
      return current.value;
    } catch (err) {
      fail(err, 'openRun');
      return null;
    }
  }

  /**
   * Full details (logs, config) of runs other than the one on screen, for comparing them; the one on screen is
   * not replaced. Rejects with the engine's error so the caller can show it beside what it compares.
   */
  function fetchDetails(ids: string[]): Promise<RunDetail[]> {
    return Promise.all(ids.map((id) => getBridge().call('runs.get', id)));
  }

  async function start(input: TrainConfigInput, engine?: EngineOptionsInput): Promise<RunSummary | null> {
    if (starting.value) return null;
    starting.value = true;
    lastError.value = null;
    exportResult.value = null;
    try {
      // Same check as the engine's, so a bad field is named before anything is sent.
      const config = parseOrThrow(TrainConfigSchema, input, 'train config', 'BAD_CONFIG');
      const summary = await getBridge().call('runs.start', input, ...(engine ? [engine] : []));
      upsertSummary(summary);
      // Show the run at once; the snapshot from disk follows and is merged in.
      setCurrent({ ...summary, config, classes: [], epochLogs: [], batchLogs: [], evaluation: null, hasModel: false });
      void open(summary.id);
      return summary;
    } catch (err) {
      fail(err, 'startTraining');
      return null;
    } finally {
      starting.value = false;
    }
  }

  async function control(action: 'stop' | 'pause' | 'resume'): Promise<void> {
    const run = current.value;
    if (!run || controlling.value) return;
    controlling.value = action;
    try {
      const summary = await getBridge().call(`runs.${action}`, run.id);
      upsertSummary(summary);
      if (current.value?.id === summary.id && !isFinished(current.value.status)) current.value = { ...current.value, status: summary.status };
    } catch (err) {
      fail(err, `${action}Training`);
    } finally {
      controlling.value = null;
    }
  }

  const stop = (): Promise<void> => control('stop');
  const pause = (): Promise<void> => control('pause');
  const resume = (): Promise<void> => control('resume');

  /** The shell the lab runs in: in a browser an export is also offered as a zip download. */
  const shell = computed(() => getBridge().shell);

  async function exportRun(format: ExportFormat = 'tfjs', outDir?: string, quantize: ExportRequest['quantize'] = 'none'): Promise<ExportResult | null> {
    const run = current.value;
    if (!run) return null;
    exporting.value = true;
    exportResult.value = null;
    try {
      exportResult.value = await getBridge().call('runs.export', { runId: run.id, format, quantize, ...(outDir ? { outDir } : {}) });
      return exportResult.value;
    } catch (err) {
      fail(err, 'exportModel');
      return null;
    } finally {
      exporting.value = false;
    }
  }

  /** Serve the current run's model over HTTP on 127.0.0.1 (the Serve button); a second call replaces the first. */
  async function serveModel(): Promise<ServingStatus | null> {
    const run = current.value;
    if (!run) return null;
    servingBusy.value = true;
    try {
      serving.value = await getBridge().call('models.serve', { model: run.id, port: 0 });
      return serving.value;
    } catch (err) {
      fail(err, 'serveModel');
      return null;
    } finally {
      servingBusy.value = false;
    }
  }

  async function stopServing(): Promise<void> {
    servingBusy.value = true;
    try {
      serving.value = await getBridge().call('models.stopServing');
    } catch (err) {
      fail(err, 'serveModel');
    } finally {
      servingBusy.value = false;
    }
  }

  /** What is being served now (after a reload, or when the CLI or another window started it). */
  async function refreshServing(): Promise<void> {
    try {
      serving.value = await getBridge().call('models.serving');
    } catch {
      serving.value = { serving: false };
    }
  }

  /** The run's self-contained HTML report (the engine also saves it in the run folder as report.file). */
  async function report(): Promise<{ file: string; html: string } | null> {
    const run = current.value;
    if (!run || reporting.value) return null;
    reporting.value = true;
    try {
      return await getBridge().call('runs.report', run.id);
    } catch (err) {
      fail(err, 'runReport');
      return null;
    } finally {
      reporting.value = false;
    }
  }

  async function remove(id: string): Promise<void> {
    try {
      await getBridge().call('runs.delete', id);
      list.value = list.value.filter((r) => r.id !== id);
      if (current.value?.id === id) current.value = null;
    } catch (err) {
      fail(err, 'deleteRun');
    }
  }

  /** A new display name (the engine trims and checks it); only the name changes on screen, live progress stays. */
  async function rename(id: string, name: string): Promise<RunSummary | null> {
    try {
      const summary = await getBridge().call('runs.rename', id, name);
      list.value = list.value.map((r) => (r.id === id ? { ...r, name: summary.name } : r));
      if (current.value?.id === id) current.value = { ...current.value, name: summary.name };
      return summary;
    } catch (err) {
      fail(err, 'renameRun');
      return null;
    }
  }

  /**
   * The training process names its backend when it starts (the run was created before it chose): take that word
   * so the run never shows one backend while training and another afterwards.
   */
  async function syncBackend(id: string): Promise<void> {
    try {
      const { backend } = await getBridge().call('runs.get', id);
      if (current.value?.id === id) current.value = { ...current.value, backend };
      list.value = list.value.map((r) => (r.id === id ? { ...r, backend } : r));
    } catch {
      // the next list refresh shows it
    }
  }

  function handleEvent(event: LabEvent): void {
    if (!('runId' in event)) return;
    if (event.type === 'run.status' && event.status === 'running') void syncBackend(event.runId);
    const i = list.value.findIndex((r) => r.id === event.runId);
    if (i >= 0) {
      const next = applyRunEventToSummary(list.value[i]!, event);
      if (next !== list.value[i]) list.value.splice(i, 1, next);
    }
    const run = current.value;
    if (run && run.id === event.runId) {
      current.value = applyRunEvent(run, event);
      if (event.type === 'run.status' && isFinished(event.status)) void open(run.id); // pick up hasModel, evaluation
      return;
    }
    if (starting.value) {
      // runs.start has not answered yet: this is probably its run.
      const queue = buffered.get(event.runId) ?? [];
      if (queue.length < MAX_BUFFERED) queue.push(event);
      buffered.set(event.runId, queue);
    } else if (i < 0 && event.type === 'run.status') {
      void refreshList(); // a run started elsewhere (CLI, another tab)
    }
  }

  /** After a dropped connection events may have been missed: re-read what is on screen. */
  async function resync(): Promise<void> {
    await refreshList();
    if (current.value) await open(current.value.id);
  }

  function summaryOfCurrent(): RunSummary | null {
    return current.value ? summaryOf(current.value) : null;
  }

  return {
    list,
    current,
    starting,
    controlling,
    exporting,
    exportResult,
    serving,
    servingBusy,
    shell,
    reporting,
    lastError,
    isLive,
    bestEpoch,
    refreshList,
    open,
    fetchDetails,
    start,
    stop,
    pause,
    resume,
    exportRun,
    serveModel,
    stopServing,
    refreshServing,
    report,
    remove,
    rename,
    handleEvent,
    resync,
    summaryOfCurrent,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useRunsStore, import.meta.hot));
