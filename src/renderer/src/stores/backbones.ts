import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import type { BackboneInfo, CutLayerInfo } from '../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../shared/errors';
import type { LabEvent } from '../../../shared/events';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

export interface BackboneDownload {
  id: string;
  jobId: string;
  done: number;
  total: number;
  cancelling: boolean;
}

function newJobId(): string {
  return `backbone-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Transfer-learning backbones: the bundled one and the catalogue downloaded on demand (with the download's progress
 * and cancel, as imports have), and where a new head can go on each (asked of the engine once per backbone and size).
 */
export const useBackbonesStore = defineStore('backbones', () => {
  const cutLayers = ref<Record<string, CutLayerInfo[]>>({});
  const loading = ref<string | null>(null);
  const list = ref<BackboneInfo[]>([]);
  const download = ref<BackboneDownload | null>(null);
  /** The last download's failure (offline, bad checksum), shown beside the Download button; null after success. */
  const downloadError = ref<LabErrorData | null>(null);
  const lastDownload = ref<'done' | 'cancelled' | 'failed' | null>(null);

  async function loadCutLayers(backbone: string, size: number): Promise<CutLayerInfo[] | null> {
    const key = `${backbone}@${size}`;
    if (cutLayers.value[key]) return cutLayers.value[key]!;
    loading.value = key;
    try {
      const list = await getBridge().call('models.cutLayers', { backbone, size });
      cutLayers.value = { ...cutLayers.value, [key]: list };
      return list;
    } catch (err) {
      useErrorsStore().report(err, 'loadBackbone');
      return null;
    } finally {
      if (loading.value === key) loading.value = null;
    }
  }

  async function loadList(): Promise<BackboneInfo[]> {
    try {
      list.value = await getBridge().call('backbones.list');
    } catch (err) {
      useErrorsStore().report(err, 'listBackbones');
    }
    return list.value;
  }

  function handleEvent(event: LabEvent): void {
    const job = download.value;
    if (event.type !== 'backbone.progress' || !job || event.jobId !== job.jobId) return;
    job.done = event.done;
    job.total = event.total;
  }

  /** Downloads a catalogue backbone (resuming a partial one); true when it is ready to use. */
  async function fetchBackbone(id: string): Promise<boolean> {
    if (download.value) return false;
    const bridge = getBridge();
    download.value = { id, jobId: newJobId(), done: 0, total: 0, cancelling: false };
    downloadError.value = null;
    lastDownload.value = null;
    const off = bridge.onEvent(handleEvent);
    try {
      const info = await bridge.call('backbones.fetch', { id, jobId: download.value.jobId });
      list.value = list.value.map((b) => (b.backbone === info.backbone ? info : b));
      lastDownload.value = 'done';
      return true;
    } catch (err) {
      const data = toLabErrorData(err);
      lastDownload.value = data.code === 'CANCELLED' ? 'cancelled' : 'failed';
      if (data.code !== 'CANCELLED') downloadError.value = data;
      // What is downloaded so far stays (partial): the list shows it.
      void loadList();
      return false;
    } finally {
      off();
      download.value = null;
    }
  }

  async function cancelDownload(): Promise<void> {
    const job = download.value;
    if (!job || job.cancelling) return;
    job.cancelling = true;
    try {
      await getBridge().call('backbones.cancelFetch', job.jobId);
    } catch (err) {
      job.cancelling = false;
      useErrorsStore().report(err, 'cancelDownload');
    }
  }

  return { cutLayers, loading, loadCutLayers, list, loadList, download, downloadError, lastDownload, fetchBackbone, cancelDownload, handleEvent };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useBackbonesStore, import.meta.hot));
