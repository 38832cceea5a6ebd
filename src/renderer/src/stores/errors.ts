import { acceptHMRUpdate, defineStore } from 'pinia';
import { ref } from 'vue';
import { toLabErrorData, type LabErrorCode } from '../../../shared/errors';
import type { LabMessage } from '../../../shared/messages';

export interface ShownError {
  id: number;
  code: LabErrorCode;
  message: string;
  /** The message as data, shown in the UI's language (absent from older engines). */
  msg?: LabMessage;
  /** What the user was doing: a key under errors.context in the messages (e.g. "importDataset"), or plain text. */
  context: string;
  details?: Record<string, unknown>;
  /** How many times in a row the same error happened. */
  count: number;
  at: number;
}

const MAX_SHOWN = 20;

/** Errors the error panel shows: every failed call lands here with what the user was doing. */
export const useErrorsStore = defineStore('errors', () => {
  const items = ref<ShownError[]>([]);
  let nextId = 1;

  function report(err: unknown, context: string): ShownError {
    const data = toLabErrorData(err);
    const last = items.value[0];
    if (last && last.message === data.message && last.context === context) {
      last.count += 1;
      last.at = Date.now();
      return last;
    }
    const shown: ShownError = { id: nextId++, code: data.code, message: data.message, context, count: 1, at: Date.now() };
    if (data.details) shown.details = data.details;
    if (data.msg) shown.msg = data.msg;
    items.value = [shown, ...items.value].slice(0, MAX_SHOWN);
    return shown;
  }

  function dismiss(id: number): void {
    items.value = items.value.filter((e) => e.id !== id);
  }

  function clear(): void {
    items.value = [];
  }

  /** Errors of what has since succeeded (e.g. a failed import once a folder inspects fine) are no longer news. */
  function dismissContext(...contexts: string[]): void {
    items.value = items.value.filter((e) => !contexts.includes(e.context));
  }

  return { items, report, dismiss, clear, dismissContext };
});

if (import.meta.hot) import.meta.hot.accept(acceptHMRUpdate(useErrorsStore, import.meta.hot));
