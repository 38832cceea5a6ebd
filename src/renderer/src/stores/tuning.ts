import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { EpochLog } from '../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../shared/errors';
import type { LabEvent } from '../../../shared/events';
import type { SearchRequestInput, TuneRequestInput, TuneStepNumber, TuningState, TuningSummary } from '../../../shared/tuning';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

/** Guided tuning and search: the list of tunings, the one on screen (updated live from tune.* events), controls. */
export const useTuningStore = defineStore('tuning', () => {
  const list = ref<TuningSummary[]>([]);
  /** Replaced on every change so charts watching it shallowly redraw. */
  const current = shallowRef<TuningState | null>(null);
  const starting = ref(false);
  const lastError = ref<LabErrorData | null>(null);
  /** Step in progress of the current guide, and the latest epoch of whatever run it trains. */
  const liveStep = ref<TuneStepNumber | null>(null);
  const liveEpoch = ref<(EpochLog & { runId: string }) | null>(null);
  const liveRunIds = new Set<string>();

  const isLive = computed(() => current.value?.status === 'running');

  function fail(err: unknown, context: string): LabErrorData {
    const data = toLabErrorData(err);
    lastError.value = data;
    useErrorsStore().report(data, context);
    return data;
  }

  async function refreshList(): Promise<void> {
    try {
      list.value = await getBridge().call('tuning.list');
    } catch (err) {
      fail(err, 'tuning.list');
    }
  }

  async function open(id: string): Promise<void> {
    try {
      current.value = await getBridge().call('tuning.get', id);
      liveStep.value = current.value.kind === 'guide' ? current.value.current : null;
    } catch (err) {
      fail(err, 'tuning.get');
    }
  }

  async function begin(call: () => Promise<TuningState>, context: string): Promise<void> {
    starting.value = true;
    lastError.value = null;
    liveEpoch.value = null;
    liveRunIds.clear();
    try {
      current.value = await call();
      void refreshList();
    } catch (err) {
      fail(err, context);
    } finally {
      starting.value = false;
    }
  }

  const startGuide = (req: TuneRequestInput): Promise<void> => begin(() => getBridge().call('tuning.start', req), 'tuning.start');
  const startSearch = (req: SearchRequestInput): Promise<void> => begin(() => getBridge().call('tuning.search', req), 'tuning.search');

  async function stop(): Promise<void> {
    const id = current.value?.id;
    if (!id) return;
    try {
      await getBridge().call('tuning.stop', id);
    } catch (err) {
      fail(err, 'tuning.stop');
    }
  }

  /** Live updates of the tuning on screen; the list is re-read when one ends. */
  function handleEvent(e: LabEvent): void {
    const cur = current.value;
    if (e.type === 'tune.step' && cur?.kind === 'guide' && e.tuneId === cur.id) {
      liveStep.value = e.result ? null : e.step;
      if (e.result) current.value = { ...cur, results: { ...cur.results, [`${e.step}`]: e.result }, current: null };
      else current.value = { ...cur, current: e.step };
    } else if (e.type === 'tune.row' && cur?.kind === 'search' && e.tuneId === cur.id) {
      const rows = [...cur.rows];
      rows[e.index] = e.row;
      current.value = { ...cur, rows };
    } else if (e.type === 'tune.status') {
      if (cur && e.tuneId === cur.id) {
        if (e.status !== 'running') void open(cur.id);
        else current.value = { ...cur, status: 'running' };
      }
      if (e.status !== 'running') void refreshList();
    } else if (e.type === 'run.epoch' && isLive.value) {
      // Runs started while our tune is live belong to it (one training process runs at a time).
      liveRunIds.add(e.runId);
      const { type: _t, ...log } = e;
      liveEpoch.value = log;
    }
  }

  /** Subscribe for as long as the caller's scope lives; returns the unsubscribe function. */
  function listen(): () => void {
    return getBridge().onEvent(handleEvent);
  }

  return { list, current, starting, lastError, liveStep, liveEpoch, isLive, refreshList, open, startGuide, startSearch, stop, handleEvent, listen };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useTuningStore, import.meta.hot));
