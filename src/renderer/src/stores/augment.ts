import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AugmentPreviewRequest } from '../../../shared/augment-config';
import type { LabArgs } from '../../../shared/contract';
import type { AugmentBatchPreview, AugmentPreview, AugmentWriteResult } from '../../../shared/dto';
import { toLabErrorData, type LabErrorData } from '../../../shared/errors';
import { getBridge } from '../api/bridge';

type BatchRequest = LabArgs<'augment.batch'>[0];
type WriteRequest = LabArgs<'augment.writeCopies'>[0];

/**
 * The Augmentation page's calls to the engine (views reach it only through stores): previews, the training batch
 * as the model sees it, writing augmented copies.
 */
export const useAugmentStore = defineStore('augment', () => {
  const batch = shallowRef<AugmentBatchPreview | null>(null);
  const batchBusy = ref(false);
  const batchError = ref<LabErrorData | null>(null);
  const written = shallowRef<AugmentWriteResult | null>(null);
  const writing = ref(false);
  const writeError = ref<LabErrorData | null>(null);

  /** One preview (the live-preview composable keeps one call in flight and drops stale answers). */
  function preview(req: AugmentPreviewRequest): Promise<AugmentPreview> {
    return getBridge().call('augment.preview', req);
  }

  async function showBatch(req: BatchRequest): Promise<void> {
    batchBusy.value = true;
    batchError.value = null;
    try {
      batch.value = await getBridge().call('augment.batch', req);
    } catch (err) {
      batchError.value = toLabErrorData(err);
    } finally {
      batchBusy.value = false;
    }
  }

  async function writeCopies(req: WriteRequest): Promise<void> {
    writing.value = true;
    written.value = null;
    writeError.value = null;
    try {
      written.value = await getBridge().call('augment.writeCopies', req);
    } catch (err) {
      writeError.value = toLabErrorData(err);
    } finally {
      writing.value = false;
    }
  }

  /** A folder chosen with the system dialog (Electron), or null where the shell has none. */
  async function pickFolder(): Promise<string | null> {
    return (await getBridge().pickFolder?.()) ?? null;
  }
  const canPickFolder = (): boolean => !!getBridge().pickFolder;

  /** Forget what belonged to another dataset (a batch of dataset A is not shown for dataset B). */
  function resetFor(): void {
    batch.value = null;
    batchError.value = null;
    written.value = null;
    writeError.value = null;
  }

  return { batch, batchBusy, batchError, written, writing, writeError, preview, showBatch, writeCopies, pickFolder, canPickFolder, resetFor };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useAugmentStore, import.meta.hot));
