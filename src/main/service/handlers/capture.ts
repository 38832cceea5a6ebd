import { randomUUID } from 'node:crypto';
import type { LabHandlers } from '../../../shared/contract';
import { captureToDataset, deleteFrame, listCaptures, listFrames, saveFrame } from '../../capture';
import type { ServiceContext } from '../context';

export type CaptureHandlers = Pick<LabHandlers, 'capture.saveFrame' | 'capture.deleteFrame' | 'capture.list' | 'capture.frames' | 'capture.toDataset'>;

/** The 'capture.*' calls: frames from the camera view into lab-owned captures, and captures into datasets. */
export function captureHandlers(ctx: ServiceContext): CaptureHandlers {
  return {
    'capture.saveFrame': (req) => saveFrame(ctx.ws, req),
    'capture.deleteFrame': (req) => deleteFrame(ctx.ws, req),
    'capture.list': () => listCaptures(ctx.ws),
    'capture.frames': (q) => listFrames(ctx.ws, q),
    'capture.toDataset': async (req) => {
      const jobId = req.jobId ?? randomUUID();
      let last = -Infinity;
      const summary = await captureToDataset(ctx.ws, req, {
        // About ten a second (a merge may import a large folder), and always the last of a phase.
        onProgress: (p) => {
          const now = performance.now();
          if (now - last < 100 && p.done < p.total) return;
          last = now;
          ctx.emit({ type: 'import.progress', jobId, ...p });
        },
      });
      ctx.emit({ type: 'import.done', jobId, datasetId: summary.id });
      return summary;
    },
  };
}
