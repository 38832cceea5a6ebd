import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { ExplainedImage } from '../../../shared/live';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

/** The engine explains at most this many images per call. */
const PER_CALL = 16;

const keyOf = (runId: string, index: number, label: string): string => `${runId}\n${index}\n${label}`;

/**
 * Heatmaps of a run's dataset images (confusion-matrix drill-down, uncertain images), each for the class the
 * evaluation predicted: asked of the engine once per image and class, kept for the session.
 */
export const useImageHeatmapsStore = defineStore('image-heatmaps', () => {
  /** Whether the evaluation shows heatmaps (off until asked: each costs a few forward passes in the engine). */
  const show = ref(false);
  const opacity = ref(0.6);
  const known = shallowRef(new Map<string, ExplainedImage>());
  const pending = new Set<string>();
  const loading = ref(0);

  function get(runId: string, index: number, label: string): ExplainedImage | undefined {
    return known.value.get(keyOf(runId, index, label));
  }

  /** Ask the engine for the heatmaps not known or on their way yet. */
  async function ensure(runId: string, images: { index: number; label: string }[]): Promise<void> {
    const todo = images.filter((im) => {
      const k = keyOf(runId, im.index, im.label);
      return !known.value.has(k) && !pending.has(k);
    });
    for (const im of todo) pending.add(keyOf(runId, im.index, im.label));
    for (let at = 0; at < todo.length; at += PER_CALL) {
      const part = todo.slice(at, at + PER_CALL);
      loading.value++;
      try {
        const answer = await getBridge().call('runs.explain', { runId, images: part });
        const next = new Map(known.value);
        answer.forEach((ex, i) => next.set(keyOf(runId, part[i]!.index, part[i]!.label), ex));
        known.value = next;
      } catch (err) {
        useErrorsStore().report(err, 'explainImages');
        // Not kept as pending: turning heatmaps off and on asks again.
        for (const im of todo.slice(at)) pending.delete(keyOf(runId, im.index, im.label));
        return;
      } finally {
        loading.value--;
        for (const im of part) pending.delete(keyOf(runId, im.index, im.label));
      }
    }
  }

  return { show, opacity, loading, get, ensure };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useImageHeatmapsStore, import.meta.hot));
