import { randomUUID } from 'node:crypto';
import type { LabHandlers } from '../../../shared/contract';
import { listCutLayers } from '../../models';
import { catalogId, isCatalogBackbone } from '../../models/backbone-catalog';
import { catalogEntry, downloadedCatalogBackbone, fetchCatalogBackbone, listBackbones } from '../../models/backbone-library';
import type { ServiceContext } from '../context';

export type BackboneHandlers = Pick<LabHandlers, 'models.cutLayers' | 'backbones.list' | 'backbones.fetch' | 'backbones.cancelFetch'>;

const PROGRESS_INTERVAL_MS = 100;

/**
 * Backbone questions the Train form asks before a run: where a new head can go, which backbones there are, and
 * downloading one (a job with backbone.progress events, cancelled by jobId, as dataset imports are).
 * Without a context (tests of folder backbones) only folders and the bundled backbone can be asked about.
 */
export function backboneHandlers(ctx?: ServiceContext): BackboneHandlers {
  const jobs = new Map<string, AbortController>();
  const needWs = () => {
    if (!ctx) throw new Error('backboneHandlers: catalogue backbones need the service context');
    return ctx.ws;
  };
  return {
    'models.cutLayers': async ({ backbone, size }) => {
      if (!isCatalogBackbone(backbone)) return listCutLayers(backbone, size);
      const ws = needWs();
      // Only a downloaded backbone is listed (the Train form offers Download first); its catalogue cut is the default.
      const id = catalogId(backbone);
      const dir = await downloadedCatalogBackbone(ws, id);
      const cut = (await catalogEntry(ws, id)).defaultCut;
      const list = await listCutLayers(dir, size);
      return cut && list.some((c) => c.name === cut) ? list.map((c) => ({ ...c, isDefault: c.name === cut })) : list;
    },
    'backbones.list': async () => listBackbones(needWs()),
    'backbones.fetch': async ({ id, jobId: given }) => {
      const ws = needWs();
      const jobId = given ?? randomUUID();
      jobs.get(jobId)?.abort();
      const controller = new AbortController();
      jobs.set(jobId, controller);
      let last = -Infinity;
      try {
        await fetchCatalogBackbone(ws, id, {
          signal: controller.signal,
          onProgress: (p) => {
            const now = performance.now();
            if (now - last < PROGRESS_INTERVAL_MS && p.done < p.total) return;
            last = now;
            ctx!.emit({ type: 'backbone.progress', jobId, id, done: p.done, total: p.total });
          },
        });
        return (await listBackbones(ws)).find((b) => b.backbone === `catalog:${id}`)!;
      } finally {
        if (jobs.get(jobId) === controller) jobs.delete(jobId);
      }
    },
    'backbones.cancelFetch': async (jobId) => {
      const job = jobs.get(jobId);
      if (!job) return { cancelled: false };
      job.abort();
      return { cancelled: true };
    },
  };
}
