import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import type { Settings } from '../../../shared/dto';
import type { LabArgs } from '../../../shared/contract';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

export type SettingsPatch = LabArgs<'settings.set'>[0];

/** Locale and theme choices, kept by the engine in the workspace so every shell shares them. */
export const useSettingsStore = defineStore('settings', () => {
  const settings = ref<Settings>({ locale: 'auto', theme: 'auto', recentDatasets: [] });
  const loaded = ref(false);

  async function load(): Promise<void> {
    try {
      settings.value = await getBridge().call('settings.get');
      loaded.value = true;
    } catch (err) {
      useErrorsStore().report(err, 'loadSettings');
    }
  }

  /** Applies the change at once (the UI follows), then saves it; a failed save is reported, not undone. */
  async function update(patch: SettingsPatch): Promise<void> {
    settings.value = { ...settings.value, ...patch };
    try {
      settings.value = await getBridge().call('settings.set', patch);
    } catch (err) {
      useErrorsStore().report(err, 'saveSettings');
    }
  }

  return { settings, loaded, load, update };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useSettingsStore, import.meta.hot));
