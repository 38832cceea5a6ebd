import { ref, shallowRef, watch, type Ref } from 'vue';
import type { RunDetail } from '../../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../../shared/errors';
import { useRunsStore } from '../../stores/runs';

/**
 * Full details (logs, config) of the runs being compared, fetched once per id and kept while selected.
 * `live` lets the caller substitute the store's copy of a run that is still training.
 */
export function useRunDetails(ids: Ref<string[]>, live: Ref<RunDetail | null>) {
  const runs = useRunsStore();
  const cache = new Map<string, RunDetail>();
  const details = shallowRef<RunDetail[]>([]);
  const loading = ref(false);
  const error = ref<LabErrorData | null>(null);

  function assemble(): void {
    details.value = ids.value
      .map((id) => (live.value?.id === id ? live.value : cache.get(id)))
      .filter((d): d is RunDetail => d !== undefined);
  }

  async function load(force = false): Promise<void> {
    const missing = ids.value.filter((id) => force || !cache.has(id));
    if (missing.length === 0) {
      assemble();
      return;
    }
    loading.value = true;
    error.value = null;
    try {
      const fetched = await runs.fetchDetails(missing);
      for (const d of fetched) cache.set(d.id, d);
    } catch (err) {
      error.value = toLabErrorData(err);
    } finally {
      loading.value = false;
      assemble();
    }
  }

  watch(ids, () => void load(), { immediate: true });
  watch(live, assemble);

  return { details, loading, error, reload: () => load(true) };
}
