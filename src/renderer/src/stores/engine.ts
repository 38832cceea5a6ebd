import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AppInfo, DoctorReport } from '../../../shared/dto';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

/** What runs the lab: app version, workspace, and which tfjs backend (and why not a faster one). */
export const useEngineStore = defineStore('engine', () => {
  const info = ref<AppInfo | null>(null);
  const doctor = ref<DoctorReport | null>(null);
  const checking = ref(false);

  const backendLabel = computed(() => doctor.value?.backend.label ?? info.value?.backend?.label ?? null);
  const device = computed(() => doctor.value?.backend.device ?? info.value?.backend?.device ?? null);

  async function loadInfo(): Promise<void> {
    try {
      info.value = await getBridge().call('app.info');
    } catch (err) {
      useErrorsStore().report(err, 'readAppInfo');
    }
  }

  async function runDoctor(): Promise<void> {
    checking.value = true;
    try {
      doctor.value = await getBridge().call('engine.doctor');
    } catch (err) {
      useErrorsStore().report(err, 'checkEngine');
    } finally {
      checking.value = false;
    }
  }

  return { info, doctor, checking, backendLabel, device, loadInfo, runDoctor };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useEngineStore, import.meta.hot));
