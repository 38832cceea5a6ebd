import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';

/** Longest stretch the pool runs without letting the event loop handle I/O. */
const YIELD_MS = 10;

export function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted) throw new LabError('CANCELLED', msg('error.import.cancelledNothingChanged'));
}

/**
 * Run fn(0..n-1) with at most `concurrency` in flight: bounded memory however many files, and a cancel check
 * before each task. Rejects with the first error after the running tasks settle.
 */
export async function runPool(n: number, concurrency: number, fn: (i: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  let lastYield = performance.now();
  const worker = async (): Promise<void> => {
    while (failure === null && next < n) {
      // Tasks that finish synchronously (small PNGs) would otherwise chain microtasks for the whole phase and starve
      // the event loop: no IPC, no progress events, no cancel request could get through.
      if (performance.now() - lastYield > YIELD_MS) {
        lastYield = performance.now();
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (signal?.aborted) {
        failure ??= new LabError('CANCELLED', msg('error.import.cancelledNothingChanged'));
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
