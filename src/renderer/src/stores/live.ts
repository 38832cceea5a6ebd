import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { PredictionHeatmap } from '../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../shared/errors';
import type { LiveModelInfo } from '../../../shared/live';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

/** Predictions per second and latency are measured over this last stretch of time. */
export const RATE_WINDOW_MS = 1000;
/** Plain frames for this long after each heatmap's answer before the next one is asked for (a heatmap costs several forward passes). */
export const HEATMAP_EVERY_MS = 500;

/**
 * Completed predictions of the last second: how many per second, and their median latency. Rate is measured
 * between the first and the last completion in the window, so it is right from the second prediction on.
 */
export class RateMeter {
  private samples: { at: number; latencyMs: number }[] = [];

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  add(at: number, latencyMs: number): void {
    this.samples.push({ at, latencyMs });
    this.prune(at);
  }

  private prune(now: number): void {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.at < from) drop++;
    if (drop) this.samples.splice(0, drop);
  }

  /** Predictions per second over the window ending at `now` (0 with fewer than two). */
  rate(now: number): number {
    this.prune(now);
    if (this.samples.length < 2) return 0;
    const span = this.samples[this.samples.length - 1]!.at - this.samples[0]!.at;
    return span > 0 ? ((this.samples.length - 1) * 1000) / span : 0;
  }

  /** Median latency (ms) of the predictions in the window ending at `now`; null when there are none. */
  medianLatency(now: number): number | null {
    this.prune(now);
    if (!this.samples.length) return null;
    const sorted = this.samples.map((s) => s.latencyMs).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  reset(): void {
    this.samples = [];
  }
}

export interface TopClass {
  label: string;
  probability: number;
  index: number;
}

/** The k most probable classes, most probable first (ties keep label order). */
export function topClasses(probabilities: readonly number[], labels: readonly string[], k: number): TopClass[] {
  return probabilities
    .map((probability, index) => ({ label: labels[index] ?? `class ${index}`, probability, index }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, Math.max(1, Math.min(k, probabilities.length)));
}

/** Where frames come from: the current camera frame as base64 JPEG, or null while there is none yet. */
export type FrameSource = () => string | null;

/** What the live page shows: the model input and where the model looked, for the class it named. */
export interface LiveHeatmap extends PredictionHeatmap {
  preview: string;
}

/**
 * Live prediction: a chosen model held by the engine, a loop that sends the newest camera frame as soon as the
 * previous answer is back (one frame in flight, so the latency shown is a frame's whole round trip), the
 * top-k, predictions per second and median latency over the last second, and a heatmap a few times a second.
 */
export const useLiveStore = defineStore('live', () => {
  /** A run id or an export folder. */
  const model = ref<string | null>(null);
  const info = ref<LiveModelInfo | null>(null);
  const opening = ref(false);
  const topK = ref(3);
  const heatmapOn = ref(true);
  const heatmapOpacity = ref(0.6);
  /** Camera feed or a dropped image. */
  const source = ref<'camera' | 'image' | null>(null);
  const running = ref(false);
  const probabilities = ref<number[]>([]);
  const heatmap = shallowRef<LiveHeatmap | null>(null);
  const heatmapError = ref<LabErrorData | null>(null);
  const rate = ref(0);
  const latencyMs = ref<number | null>(null);
  /** Time the engine spent on the last frame (the rest of the latency is encoding and transport). */
  const engineMs = ref<number | null>(null);
  const count = ref(0);
  const lastError = ref<LabErrorData | null>(null);
  /** Injected in tests. */
  const clock = { now: (): number => performance.now(), pause: (): Promise<void> => new Promise((r) => setTimeout(r, 0)) };

  const meter = new RateMeter();
  let loopSeq = 0;
  let lastHeatAt = -Infinity;

  const top = computed(() => (info.value ? topClasses(probabilities.value, info.value.labels, topK.value) : []));
  const top1 = computed(() => top.value[0] ?? null);
  const canHeatmap = computed(() => !!info.value?.heatmap);

  function resetReadings(): void {
    probabilities.value = [];
    heatmap.value = null;
    heatmapError.value = null;
    rate.value = 0;
    latencyMs.value = null;
    engineMs.value = null;
    count.value = 0;
    meter.reset();
    lastHeatAt = -Infinity;
  }

  /** Load the chosen model in the engine (it stays loaded for every frame). */
  async function openModel(): Promise<LiveModelInfo | null> {
    const chosen = model.value?.trim();
    if (!chosen) {
      info.value = null;
      return null;
    }
    opening.value = true;
    lastError.value = null;
    try {
      const opened = await getBridge().call('live.open', { model: chosen });
      if (model.value?.trim() !== chosen) return null;
      info.value = opened;
      resetReadings();
      return opened;
    } catch (err) {
      info.value = null;
      report(err);
      return null;
    } finally {
      opening.value = false;
    }
  }

  function report(err: unknown): void {
    const data = toLabErrorData(err);
    lastError.value = data;
    useErrorsStore().report(data, 'livePredict');
  }

  /** One image through the model; a heatmap when asked. Returns false when the engine refused it. */
  async function predictOnce(image: string, withHeat: boolean, seq: number | null): Promise<boolean> {
    const chosen = info.value?.model;
    if (!chosen) return false;
    const started = clock.now();
    try {
      const out = await getBridge().call('live.predict', { model: chosen, image, heatmap: withHeat });
      // A stopped loop or another model: this answer is stale.
      if ((seq !== null && seq !== loopSeq) || info.value?.model !== chosen) return true;
      const done = clock.now();
      meter.add(done, done - started);
      count.value++;
      probabilities.value = out.probabilities;
      engineMs.value = out.engineMs;
      rate.value = meter.rate(done);
      latencyMs.value = meter.medianLatency(done);
      if (withHeat) {
        heatmap.value = out.heatmap && out.preview ? { ...out.heatmap, preview: out.preview } : null;
        heatmapError.value = out.heatmapError ?? null;
      }
      return true;
    } catch (err) {
      report(err);
      return false;
    }
  }

  /** Predict frames from `grab` until stop(); the newest frame each time the previous answer is back. */
  async function start(grab: FrameSource): Promise<void> {
    stop();
    if (!info.value) await openModel();
    if (!info.value) return;
    const seq = ++loopSeq;
    running.value = true;
    source.value = 'camera';
    resetReadings();
    try {
      while (seq === loopSeq) {
        const frame = grab();
        if (frame) {
          const now = clock.now();
          const withHeat = heatmapOn.value && canHeatmap.value && now - lastHeatAt >= HEATMAP_EVERY_MS;
          const ok = await predictOnce(frame, withHeat, seq);
          // Counted from the answer: a slow heatmap still leaves HEATMAP_EVERY_MS of plain frames after it.
          if (withHeat) lastHeatAt = clock.now();
          if (!ok) break;
        }
        // Lets the page draw (and a stop() land) between frames.
        await clock.pause();
      }
    } finally {
      if (seq === loopSeq) {
        running.value = false;
        rate.value = 0;
      }
    }
  }

  function stop(): void {
    loopSeq++;
    running.value = false;
    rate.value = 0;
  }

  /** A dropped image: the loop stops and the image is classified once (with its heatmap). */
  async function predictImage(image: string): Promise<boolean> {
    stop();
    if (!info.value) await openModel();
    if (!info.value) return false;
    source.value = 'image';
    resetReadings();
    return predictOnce(image, heatmapOn.value && canHeatmap.value, null);
  }

  /** The page is left: no more frames, and the engine lets the model go. */
  async function leave(): Promise<void> {
    stop();
    source.value = null;
    resetReadings();
    info.value = null;
    await getBridge()
      .call('live.release')
      .catch(() => undefined);
  }

  return {
    model,
    info,
    opening,
    topK,
    heatmapOn,
    heatmapOpacity,
    source,
    running,
    probabilities,
    heatmap,
    heatmapError,
    rate,
    latencyMs,
    engineMs,
    count,
    lastError,
    clock,
    top,
    top1,
    canHeatmap,
    openModel,
    start,
    stop,
    predictImage,
    leave,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useLiveStore, import.meta.hot));
