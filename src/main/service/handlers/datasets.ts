import { randomUUID } from 'node:crypto';
import type { LabHandlers } from '../../../shared/contract';
import type { LabEventOf } from '../../../shared/events';
import { deleteDataset, editSamples, getDataset, importDataset, inspectFolders, listDatasets, querySamples, resolveSampleImage, type ImportProgress } from '../../datasets';
import type { ServiceContext } from '../context';

export type DatasetsHandlers = Pick<LabHandlers, 'datasets.inspect' | 'datasets.import' | 'datasets.cancelImport' | 'datasets.list' | 'datasets.get' | 'datasets.samples' | 'datasets.delete' | 'datasets.edit'>;

/** Images for the lab:// protocol and the server's /api/image route, by (dataset, index) only. */
export { resolveSampleImage };

const PROGRESS_INTERVAL_MS = 100;

/** The 'datasets.*' calls. Imports run as jobs with progress events (~10 Hz) and can be cancelled by jobId. */
export function datasetHandlers(ctx: ServiceContext): DatasetsHandlers {
  const jobs = new Map<string, AbortController>();

  const progressEmitter = (jobId: string): ((p: ImportProgress) => void) => {
    let last = -Infinity;
    let lastPhase = '';
    return (p) => {
      const now = performance.now();
      const finished = p.total > 0 && p.done >= p.total;
      if (p.phase === lastPhase && !finished && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      lastPhase = p.phase;
      const event: LabEventOf<'import.progress'> = { type: 'import.progress', jobId, ...p };
      ctx.emit(event);
    };
  };

  return {
    'datasets.inspect': (paths) => inspectFolders(paths),
    'datasets.import': async (req) => {
      const jobId = req.jobId ?? randomUUID();
      if (jobs.has(jobId)) jobs.get(jobId)!.abort();
      const controller = new AbortController();
      jobs.set(jobId, controller);
      try {
        const summary = await importDataset(ctx.ws, req, { signal: controller.signal, onProgress: progressEmitter(jobId), ...(req.input ? { input: req.input } : {}) });
        ctx.emit({ type: 'import.done', jobId, datasetId: summary.id });
        return summary;
      } finally {
        if (jobs.get(jobId) === controller) jobs.delete(jobId);
      }
    },
    'datasets.cancelImport': async (jobId) => {
      const job = jobs.get(jobId);
      if (!job) return { cancelled: false };
      job.abort();
      return { cancelled: true };
    },
    'datasets.list': () => listDatasets(ctx.ws),
    'datasets.get': (id) => getDataset(ctx.ws, id),
    'datasets.samples': (q) => querySamples(ctx.ws, q),
    'datasets.delete': (id) => deleteDataset(ctx.ws, id),
    'datasets.edit': (req) => editSamples(ctx.ws, req.datasetId, req.edits),
  };
}

