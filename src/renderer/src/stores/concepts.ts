import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import type { LabArgs } from '../../../shared/contract';
import type { BatchNormDemo, DropoutDemo } from '../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../shared/errors';
import { getBridge } from '../api/bridge';
import { useErrorsStore } from './errors';

export type DropoutDemoRequest = LabArgs<'concepts.dropout'>[0];
export type BatchNormDemoRequest = LabArgs<'concepts.batchNorm'>[0];

/**
 * The concept lab's dropout and batch-norm explainers, computed by the engine's own layers.
 * Sliders fire requests faster than answers come back: only the newest request's answer is kept.
 */
export const useConceptsStore = defineStore('concepts', () => {
  const dropout = ref<DropoutDemo | null>(null);
  const batchNorm = ref<BatchNormDemo | null>(null);
  const dropoutError = ref<LabErrorData | null>(null);
  const batchNormError = ref<LabErrorData | null>(null);
  let dropoutSeq = 0;
  let batchNormSeq = 0;

  async function loadDropout(req: DropoutDemoRequest): Promise<DropoutDemo | null> {
    const seq = ++dropoutSeq;
    try {
      const result = await getBridge().call('concepts.dropout', req);
      if (seq !== dropoutSeq) return null;
      dropout.value = result;
      dropoutError.value = null;
      return result;
    } catch (err) {
      if (seq !== dropoutSeq) return null;
      dropoutError.value = toLabErrorData(err);
      useErrorsStore().report(dropoutError.value, 'Concepts: dropout explainer');
      return null;
    }
  }

  async function loadBatchNorm(req: BatchNormDemoRequest): Promise<BatchNormDemo | null> {
    const seq = ++batchNormSeq;
    try {
      const result = await getBridge().call('concepts.batchNorm', req);
      if (seq !== batchNormSeq) return null;
      batchNorm.value = result;
      batchNormError.value = null;
      return result;
    } catch (err) {
      if (seq !== batchNormSeq) return null;
      batchNormError.value = toLabErrorData(err);
      useErrorsStore().report(batchNormError.value, 'Concepts: batch-norm explainer');
      return null;
    }
  }

  return { dropout, batchNorm, dropoutError, batchNormError, loadDropout, loadBatchNorm };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useConceptsStore, import.meta.hot));
