import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { folderNameProblem, type CaptureSummary, type CapturedFrame } from '../../../shared/capture';
import type { DatasetSummary } from '../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../shared/errors';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

/** Frames sent to the engine but not answered yet above which a new frame is skipped (the camera outruns the disk). */
export const MAX_IN_FLIGHT = 4;
export const CAPTURE_RATES = [1, 2, 5, 10] as const;
export const DEFAULT_CAPTURE = 'camera';

/** A frame on screen: what the engine wrote, with a thumbnail (the encoded blob's URL, or the engine's data URL). */
export interface ShownFrame extends CapturedFrame {
  url: string;
}

/** The bytes of an encoded frame as base64, for capture.saveFrame. */
export async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Camera capture: which capture and class frames go to, the settings of the recorder, the frames, the dataset. */
export const useCaptureStore = defineStore('capture', () => {
  const captures = ref<CaptureSummary[]>([]);
  const capture = ref(DEFAULT_CAPTURE);
  const className = ref('');
  const rate = ref<number>(5);
  const countdown = ref<0 | 3>(0);
  const mirror = ref(true);
  /** Newest first: this session's frames and those loaded from the engine. */
  const frames = ref<ShownFrame[]>([]);
  const inFlight = ref(0);
  const skipped = ref(0);
  const dataset = ref<DatasetSummary | null>(null);
  const updatingDataset = ref(false);
  const lastError = ref<LabErrorData | null>(null);

  const captureProblem = computed(() => folderNameProblem(capture.value.trim(), 'capture'));
  const classProblem = computed(() => folderNameProblem(className.value.trim(), 'class'));
  const current = computed(() => captures.value.find((c) => c.name === capture.value.trim()) ?? null);
  /** Classes of the current capture with their frame counts (what the engine has). */
  const classes = computed(() => current.value?.classes ?? []);
  const canRecord = computed(() => !captureProblem.value && !classProblem.value);
  const canMakeDataset = computed(() => classes.value.filter((c) => c.frames > 0).length >= 2);

  function fail(err: unknown, context: string): void {
    const data = toLabErrorData(err);
    lastError.value = data;
    useErrorsStore().report(data, context);
  }

  async function refresh(): Promise<void> {
    try {
      captures.value = await getBridge().call('capture.list');
    } catch (err) {
      fail(err, 'listCaptures');
    }
  }

  /** The newest saved frames of the current capture (after a reload, or when switching captures). */
  async function loadFrames(): Promise<void> {
    const name = capture.value.trim();
    if (captureProblem.value || !captures.value.some((c) => c.name === name)) {
      frames.value = [];
      return;
    }
    try {
      const got = await getBridge().call('capture.frames', { capture: name, limit: 200 });
      if (name !== capture.value.trim()) return;
      frames.value = got.map((f) => ({ ...f, url: f.thumb ?? '' }));
    } catch (err) {
      fail(err, 'listCaptures');
    }
  }

  function bump(summaryClass: string, by: number): void {
    const name = capture.value.trim();
    let c = captures.value.find((x) => x.name === name);
    if (!c) {
      const now = new Date().toISOString();
      c = { name, dir: '', classes: [], frames: 0, createdAt: now, updatedAt: now };
      captures.value = [c, ...captures.value];
    }
    const k = c.classes.find((x) => x.name === summaryClass);
    if (k) k.frames = Math.max(0, k.frames + by);
    else if (by > 0) c.classes.push({ name: summaryClass, frames: by });
    c.classes = c.classes.filter((x) => x.frames > 0);
    c.frames = Math.max(0, c.frames + by);
  }

  /** Send one encoded frame; skipped (false) when too many are still on their way or the names are not valid. */
  async function saveFrame(blob: Blob): Promise<boolean> {
    if (!canRecord.value) return false;
    if (inFlight.value >= MAX_IN_FLIGHT) {
      skipped.value++;
      return false;
    }
    inFlight.value++;
    const url = URL.createObjectURL(blob);
    try {
      const saved = await getBridge().call('capture.saveFrame', { capture: capture.value.trim(), className: className.value.trim(), data: await blobToBase64(blob) });
      frames.value = [{ ...saved, url }, ...frames.value];
      bump(saved.className, 1);
      return true;
    } catch (err) {
      URL.revokeObjectURL(url);
      fail(err, 'captureFrame');
      return false;
    } finally {
      inFlight.value--;
    }
  }

  async function deleteFrame(frame: ShownFrame): Promise<void> {
    try {
      await getBridge().call('capture.deleteFrame', { capture: capture.value.trim(), frame: frame.id });
      frames.value = frames.value.filter((f) => f.id !== frame.id);
      if (frame.url.startsWith('blob:')) URL.revokeObjectURL(frame.url);
      bump(frame.className, -1);
    } catch (err) {
      fail(err, 'deleteFrame');
    }
  }

  /** Import (refresh) the capture as a dataset, or with mergeWith make a new dataset of an imported one + the capture. */
  async function makeDataset(mergeWith?: string): Promise<DatasetSummary | null> {
    if (updatingDataset.value) return null;
    updatingDataset.value = true;
    try {
      const summary = await getBridge().call('capture.toDataset', { capture: capture.value.trim(), ...(mergeWith ? { mergeWith } : {}) });
      dataset.value = summary;
      await refresh();
      return summary;
    } catch (err) {
      fail(err, 'captureDataset');
      return null;
    } finally {
      updatingDataset.value = false;
    }
  }

  function forgetFrames(): void {
    for (const f of frames.value) if (f.url.startsWith('blob:')) URL.revokeObjectURL(f.url);
    frames.value = [];
  }

  return {
    captures,
    capture,
    className,
    rate,
    countdown,
    mirror,
    frames,
    inFlight,
    skipped,
    dataset,
    updatingDataset,
    lastError,
    captureProblem,
    classProblem,
    current,
    classes,
    canRecord,
    canMakeDataset,
    refresh,
    loadFrames,
    saveFrame,
    deleteFrame,
    makeDataset,
    forgetFrames,
  };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useCaptureStore, import.meta.hot));
