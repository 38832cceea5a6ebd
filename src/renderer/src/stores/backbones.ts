import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import type { CutLayerInfo } from '../../../shared/dto';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

/** Transfer-learning backbones: where a new head can go on each (asked of the engine once per backbone and size). */
export const useBackbonesStore = defineStore('backbones', () => {
  const cutLayers = ref<Record<string, CutLayerInfo[]>>({});
  const loading = ref<string | null>(null);

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

  return { cutLayers, loading, loadCutLayers };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useBackbonesStore, import.meta.hot));
