import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed } from 'vue';
import type { LabBridge } from '../../../shared/bridge';
import { getBridge } from '../api/bridge';

export type ImageVariant = 'thumb' | 'full';

/**
 * What the shell the lab runs in offers beyond engine calls (views reach it only through stores): the system
 * folder dialog and the paths of dropped files (Electron only), and where a dataset image is served from.
 */
export const useShellStore = defineStore('shell', () => {
  /** 'electron' or 'browser': a browser tab never learns file paths and downloads what Electron saves. */
  const kind = computed<LabBridge['shell']>(() => getBridge().shell);
  const isBrowser = computed(() => kind.value === 'browser');
  const canPickFolder = computed(() => !!getBridge().pickFolder);
  /** Whether a dropped File can be turned into its path on disk. */
  const canDropFiles = computed(() => !!getBridge().pathForFile);

  /** A folder chosen with the system dialog; null when cancelled or where the shell has no dialog. */
  async function pickFolder(): Promise<string | null> {
    return (await getBridge().pickFolder?.()) ?? null;
  }

  /** The absolute path of a dropped File; '' where the shell cannot tell (a browser tab) or the file has none. */
  function pathForFile(file: File): string {
    return getBridge().pathForFile?.(file) ?? '';
  }

  /** URL of a dataset image, addressed by (dataset, manifest index), never by a file path. */
  function imageUrl(datasetId: string, index: number, variant: ImageVariant = 'thumb'): string {
    return getBridge().imageUrl(datasetId, index, variant);
  }

  return { kind, isBrowser, canPickFolder, canDropFiles, pickFolder, pathForFile, imageUrl };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useShellStore, import.meta.hot));
