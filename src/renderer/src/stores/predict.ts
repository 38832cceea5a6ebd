import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Prediction } from '../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../shared/errors';
import type { LabEvent } from '../../../shared/events';
import { labelsFromPredictions, predictionsToCsv } from '../../../shared/predictions-csv';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

/** The engine clamps top-k to the number of classes: asking for its maximum yields every class's label, for the CSV. */
const FULL_TOP_K = 100;

/** One path per line; blank lines and surrounding spaces dropped, duplicates kept once. */
export function parsePaths(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0))];
}

/** How far a models.predict call is: images finished of the total, speed, seconds left (null until known). */
export interface PredictProgress {
  done: number;
  total: number;
  ratePerS: number;
  etaS: number | null;
}

let jobCounter = 0;
function newJobId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `predict-${Date.now()}-${++jobCounter}`;
}

/** Classifying images with a trained run or an exported model: the form, the results (streamed in), progress, cancel, CSV. */
export const usePredictStore = defineStore('predict', () => {
  /** A run id or an export folder path. */
  const model = ref<string | null>(null);
  /** Image files or folders on the lab's machine, one per line. */
  const pathsText = ref('');
  const topK = ref(3);
  const multiCrop = ref(false);
  /** Ask the engine for a heatmap of where the model looked (top class), shown over the model input. */
  const heatmap = ref(true);
  /** How strongly the heatmap covers the model input, 0…1 (a view setting: changing it asks nothing of the engine). */
  const heatmapOpacity = ref(0.6);
  const predicting = ref(false);
  const results = ref<Prediction[]>([]);
  const lastError = ref<LabErrorData | null>(null);
  /** The running call's progress (null before its first progress event and once it has answered). */
  const progress = ref<PredictProgress | null>(null);
  /** The running call's id, matched against predict.progress / predict.results events and used to cancel. */
  const jobId = ref<string | null>(null);
  const cancelling = ref(false);
  /** The last call was stopped by Cancel: `results` holds what finished before it stopped. */
  const cancelled = ref<{ done: number; total: number } | null>(null);

  const paths = computed(() => parsePaths(pathsText.value));
  const canPredict = computed(() => !!model.value?.trim() && paths.value.length > 0 && !predicting.value);
  /** Each result's top-k as the user asked for it (the engine returned every class). */
  const shown = computed(() => results.value.map((p) => ({ ...p, top: p.top.slice(0, topK.value) })));
  const errorCount = computed(() => results.value.filter((p) => p.error).length);
  const hasHeatmaps = computed(() => results.value.some((p) => p.heatmap));

  /** Class names in output order; if they cannot be recovered (over 100 classes), numbered names. */
  const labels = computed<string[]>(() => {
    const known = labelsFromPredictions(results.value);
    if (known) return known;
    const n = results.value.find((p) => p.probabilities)?.probabilities?.length ?? 0;
    return Array.from({ length: n }, (_, i) => `class ${i}`);
  });

  function addPaths(more: string[]): void {
    pathsText.value = parsePaths([pathsText.value, ...more].join('\n')).join('\n');
  }

  /** Results and progress of the running call as the engine streams them. */
  function handleEvent(event: LabEvent): void {
    if (!predicting.value || !jobId.value) return;
    if (event.type === 'predict.results' && event.jobId === jobId.value) {
      results.value = [...results.value, ...event.results];
    } else if (event.type === 'predict.progress' && event.jobId === jobId.value) {
      const etaS = event.etaS ?? (event.ratePerS > 0 ? Math.max(0, event.total - event.done) / event.ratePerS : null);
      progress.value = { done: event.done, total: event.total, ratePerS: event.ratePerS, etaS };
    }
  }

  async function predict(): Promise<Prediction[] | null> {
    const chosen = model.value?.trim();
    if (!chosen || paths.value.length === 0 || predicting.value) return null;
    const bridge = getBridge();
    predicting.value = true;
    lastError.value = null;
    cancelled.value = null;
    results.value = [];
    progress.value = null;
    jobId.value = newJobId();
    const off = bridge.onEvent(handleEvent);
    try {
      // The answer is the whole list in input order (with heatmaps): it replaces what was streamed.
      results.value = await bridge.call('models.predict', {
        model: chosen,
        paths: paths.value,
        topK: FULL_TOP_K,
        multiCrop: multiCrop.value,
        preview: true,
        heatmap: heatmap.value,
        jobId: jobId.value,
      });
      return results.value;
    } catch (err) {
      const data = toLabErrorData(err);
      if (data.code === 'CANCELLED') {
        // Read through a cast: TypeScript keeps progress narrowed to the null set above, but events updated it since.
        const last = progress.value as PredictProgress | null;
        cancelled.value = { done: last?.done ?? results.value.length, total: last?.total ?? paths.value.length };
        return null;
      }
      lastError.value = data;
      useErrorsStore().report(data, 'predict');
      return null;
    } finally {
      off();
      predicting.value = false;
      cancelling.value = false;
      progress.value = null;
      jobId.value = null;
    }
  }

  /** Stops the running call; images already classified stay in the results. */
  async function cancel(): Promise<void> {
    if (!predicting.value || !jobId.value || cancelling.value) return;
    cancelling.value = true;
    try {
      await getBridge().call('models.cancelPredict', jobId.value);
    } catch (err) {
      cancelling.value = false;
      useErrorsStore().report(toLabErrorData(err), 'predict');
    }
  }

  /** path, top-1, its probability, every class's probability, error: one row per image. */
  function csv(): string {
    return predictionsToCsv(results.value, labels.value);
  }

  function clear(): void {
    results.value = [];
    lastError.value = null;
    cancelled.value = null;
  }

  return {
    model,
    pathsText,
    topK,
    multiCrop,
    heatmap,
    heatmapOpacity,
    hasHeatmaps,
    predicting,
    results,
    lastError,
    progress,
    cancelling,
    cancelled,
    paths,
    canPredict,
    shown,
    errorCount,
    labels,
    addPaths,
    predict,
    cancel,
    handleEvent,
    csv,
    clear,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(usePredictStore, import.meta.hot));
