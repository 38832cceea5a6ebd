import { LabError } from '../../shared/errors';

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new LabError('CANCELLED', 'Import cancelled: nothing was changed in the workspace.');
}

/**
 * Run fn(0..n-1) with at most `concurrency` in flight: bounded memory however many files, and a cancel check
 * before each task. Rejects with the first error after the running tasks settle.
 */
export async function runPool(n: number, concurrency: number, fn: (i: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < n) {
      if (signal?.aborted) {
        failure ??= new LabError('CANCELLED', 'Import cancelled: nothing was changed in the workspace.');
        return;
      }
      const i = next++;
      try {
        await fn(i);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
  if (failure !== null) throw failure;
}
