import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import type { TrainConfig } from '../../../shared/config';
import { defaultTrainForm, formFromConfig, type TrainFormState } from '../lib/train-form';

/** The Train page's choices, kept while the user visits other pages. */
export const useTrainFormStore = defineStore('train-form', () => {
  const form = ref<TrainFormState>(defaultTrainForm());
  /** What the form was prepared from (a run's name), shown above it; null for a fresh form. */
  const basedOn = ref<string | null>(null);

  /** Fill the form from a full config (train again, or a diagnosis remedy), keeping what the form cannot show. */
  function prepareFrom(config: TrainConfig, source: string): void {
    form.value = formFromConfig(config);
    basedOn.value = source;
  }

  function reset(): void {
    form.value = defaultTrainForm(form.value.datasetId);
    basedOn.value = null;
  }

  return { form, basedOn, prepareFrom, reset };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useTrainFormStore, import.meta.hot));
