import { defineStore } from 'pinia';
import { ref } from 'vue';
import { defaultTrainForm, type TrainFormState } from '../lib/train-form';

/** The Train page's choices, kept while the user visits other pages. */
export const useTrainFormStore = defineStore('train-form', () => {
  const form = ref<TrainFormState>(defaultTrainForm());
  function reset(): void {
    form.value = defaultTrainForm(form.value.datasetId);
  }
  return { form, reset };
});
