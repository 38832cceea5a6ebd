/** Live prediction (live.*) and heatmaps of a run's dataset images (runs.explain), over one held model. */
import type { LabHandlers } from '../../../shared/contract';
import { initBackend } from '../../engine/backend';
import { resolveSampleImage } from '../../datasets';
import { decodeForModel } from '../../datasets/preprocess';
import { LiveSession } from '../../predict/live-session';
import { readRun } from '../../runs';
import type { ServiceContext } from '../context';

export type LiveHandlers = Pick<LabHandlers, 'live.open' | 'live.predict' | 'live.release' | 'runs.explain'>;

/** `dispose` frees the held model. */
export function liveHandlers(ctx: ServiceContext): LiveHandlers & { dispose(): Promise<void> } {
  const session = new LiveSession(ctx.ws);
  return {
    'live.open': async (req) => {
      await initBackend();
      return session.open(req.model);
    },
    'live.predict': async (req) => {
      await initBackend();
      return session.predict(req.model, Buffer.from(req.image, 'base64'), { heatmap: req.heatmap, preview: req.preview });
    },
    'live.release': async () => ({ released: await session.release() }),
    'runs.explain': async (req) => {
      await initBackend();
      const run = await readRun(ctx.ws, req.runId);
      const explained = await session.explain(
        req.runId,
        req.images.map((im) => ({ key: im.index, label: im.label })),
        async (index, pre) => decodeForModel((await resolveSampleImage(ctx.ws, run.config.datasetId, index, 'full')).data, pre.input),
      );
      return explained.map(({ key, ...rest }) => ({ index: key, ...rest }));
    },
    dispose: async () => {
      await session.release();
    },
  };
}
