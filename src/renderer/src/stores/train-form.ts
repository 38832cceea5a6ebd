import { acceptHMRUpdate, defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { AugmentConfigSchema, type AugmentConfig } from '../../../shared/augment-config';
import { TrainConfigSchema, type TrainConfig } from '../../../shared/config';
import { buildTrainConfig, defaultTrainForm, formFromConfig, type TrainFormState } from '../lib/train-form';
import { defaultEngineChoice, engineOptionsOf, type EngineChoiceState } from '../lib/engine-choice';

/**
 * The form with a full, per-transform augmentation configuration: kept in the form's base config (with every
 * other setting the form shows), so the run gets exactly these transforms, not just their preset.
 */
export function withAugmentation(form: TrainFormState, augmentation: AugmentConfig): TrainFormState {
  const aug = AugmentConfigSchema.parse(augmentation);
  const next: TrainFormState = { ...form, augmentation: aug.preset };
  // The form's own choices as a full config; the dataset may not be chosen yet (the form sets it when sent).
  const base = TrainConfigSchema.parse({ ...buildTrainConfig(next), datasetId: next.datasetId ?? 'not-chosen' });
  return { ...next, base: { ...base, augmentation: aug } };
}

/** The Train page's choices, kept while the user visits other pages. */
export const useTrainFormStore = defineStore('train-form', () => {
  const form = ref<TrainFormState>(defaultTrainForm());
  /** What the form was prepared from (a run's name), shown above it; null for a fresh form. */
  const basedOn = ref<string | null>(null);
  /** Which engine trains the run (kept apart from the experiment, which is the same on either). */
  const engine = ref<EngineChoiceState>(defaultEngineChoice());
  /** runs.start's second argument: undefined for the lab's own engine. */
  const engineOptions = computed(() => engineOptionsOf(engine.value));

  /** Fill the form from a full config (train again, or a diagnosis remedy), keeping what the form cannot show. */
  function prepareFrom(config: TrainConfig, source: string): void {
    form.value = formFromConfig(config);
    basedOn.value = source;
  }

  /** "Use these settings for training" on the Augmentation page: every transform's settings, on that dataset. */
  function useAugmentation(augmentation: AugmentConfig, datasetId: string | null): void {
    form.value = withAugmentation({ ...form.value, datasetId: datasetId ?? form.value.datasetId }, augmentation);
  }

  function reset(): void {
    form.value = defaultTrainForm(form.value.datasetId);
    basedOn.value = null;
  }

  return { form, basedOn, engine, engineOptions, prepareFrom, useAugmentation, reset };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useTrainFormStore, import.meta.hot));
