/** Pause and stop between batches: waits while the gate is closed, and ends the fit when the signal is aborted. */
import { CALLBACK_ORDER, CancelFit, type Callback } from './callback';

export interface PauseStopOptions {
  pause?: { wait(): Promise<void> } | undefined;
  signal?: AbortSignal | undefined;
}

export function pauseStop({ pause, signal }: PauseStopOptions): Callback {
  return {
    name: 'pause-stop',
    order: CALLBACK_ORDER.pauseStop,
    async batchBegin(loop) {
      if (pause) {
        const t0 = loop.now();
        await pause.wait();
        loop.pausedMs += loop.now() - t0;
      }
      if (signal?.aborted) {
        loop.log('info', `Stopped during epoch ${loop.epoch + 1}; the last checkpoint (after epoch ${loop.state.epochsDone}) is kept and can be resumed.`);
        throw new CancelFit('stopped');
      }
    },
  };
}
