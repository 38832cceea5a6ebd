/**
 * Live previews: re-request whenever the request changes, at most one call in flight (the latest request wins,
 * stale answers are dropped), so sliders stay smooth and the grid never shows an older setting than the last one.
 */
import { onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue';
import type { AugmentPreviewRequest } from '../../../../shared/augment-config';
import type { AugmentPreview } from '../../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../../shared/errors';
import { useAugmentStore } from '../../stores/augment';

export function useAugmentPreview(request: Ref<AugmentPreviewRequest | null>, delayMs = 40) {
  const store = useAugmentStore();
  const result = shallowRef<AugmentPreview | null>(null);
  const loading = ref(false);
  const error = ref<LabErrorData | null>(null);
  /** Browser-side round trip of the last answer (ms). */
  const roundTripMs = ref<number | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight = false;
  let pending: AugmentPreviewRequest | null = null;
  let disposed = false;

  async function run(req: AugmentPreviewRequest): Promise<void> {
    inFlight = true;
    loading.value = true;
    const t0 = performance.now();
    try {
      const r = await store.preview(req);
      if (!disposed && pending === null) {
        result.value = r;
        error.value = null;
        roundTripMs.value = Math.round(performance.now() - t0);
      }
    } catch (err) {
      if (!disposed && pending === null) error.value = toLabErrorData(err);
    } finally {
      inFlight = false;
      const next = pending;
      pending = null;
      if (next && !disposed) void run(next);
      else loading.value = false;
    }
  }

  function schedule(req: AugmentPreviewRequest | null): void {
    if (timer) clearTimeout(timer);
    if (!req) return;
    const snapshot = JSON.parse(JSON.stringify(req)) as AugmentPreviewRequest;
    timer = setTimeout(() => {
      timer = null;
      if (inFlight) pending = snapshot;
      else void run(snapshot);
    }, delayMs);
  }

  watch(request, schedule, { deep: true, immediate: true });
  onScopeDispose(() => {
    disposed = true;
    if (timer) clearTimeout(timer);
  });

  return { result, loading, error, roundTripMs, refresh: () => schedule(request.value) };
}
