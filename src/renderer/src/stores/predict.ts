import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Prediction } from '../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../shared/errors';
import { labelsFromPredictions, predictionsToCsv } from '../../../shared/predictions-csv';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

/** The engine clamps top-k to the number of classes: asking for its maximum yields every class's label, for the CSV. */
const FULL_TOP_K = 100;

/** One path per line; blank lines and surrounding spaces dropped, duplicates kept once. */
export function parsePaths(text: string): string[] {
  return [...new Set(text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0))];
}

/** Classifying images with a trained run or an exported model: the form, the results, their CSV. */
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

  async function predict(): Promise<Prediction[] | null> {
    const chosen = model.value?.trim();
    if (!chosen || paths.value.length === 0 || predicting.value) return null;
    predicting.value = true;
    lastError.value = null;
    try {
      results.value = await getBridge().call('models.predict', {
        model: chosen,
        paths: paths.value,
        topK: FULL_TOP_K,
        multiCrop: multiCrop.value,
        preview: true,
        heatmap: heatmap.value,
      });
      return results.value;
    } catch (err) {
      const data = toLabErrorData(err);
      lastError.value = data;
      useErrorsStore().report(data, 'predict');
      return null;
    } finally {
      predicting.value = false;
    }
  }

  /** path, top-1, its probability, every class's probability, error: one row per image. */
  function csv(): string {
    return predictionsToCsv(results.value, labels.value);
  }

  function clear(): void {
    results.value = [];
    lastError.value = null;
  }

  return { model, pathsText, topK, multiCrop, heatmap, heatmapOpacity, hasHeatmaps, predicting, results, lastError, paths, canPredict, shown, errorCount, labels, addPaths, predict, csv, clear };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(usePredictStore, import.meta.hot));
