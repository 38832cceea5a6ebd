/** LabApi calls of the prediction API: one server per service; serving again replaces it. */
import type { LabHandlers } from '../../shared/contract';
import type { ServingStatus } from '../../shared/dto';
import { initBackend } from '../engine/backend';
import { resolvePredictModel } from '../predict/resolve-model';
import type { ServiceContext } from '../service/context';
import { startModelServer, type ModelServer } from './model-server';

export type ServeModelHandlers = Pick<LabHandlers, 'models.serve' | 'models.stopServing' | 'models.serving'>;

export function serveModelHandlers(ctx: ServiceContext): ServeModelHandlers & { dispose(): Promise<void> } {
  let current: { server: ModelServer; status: ServingStatus; release: () => void } | null = null;
  const stop = async (): Promise<ServingStatus> => {
    const c = current;
    current = null;
    if (c) {
      await c.server.close();
      c.release();
    }
    return { serving: false };
  };
  return {
    'models.serve': async (req) => {
      await initBackend();
      await stop();
      const resolved = await resolvePredictModel(ctx.ws, req.model);
      try {
        const name = resolved.kind === 'run' ? resolved.source : resolved.source.split(/[\\/]/).filter(Boolean).pop() ?? resolved.source;
        const server = await startModelServer({
          model: resolved.model,
          labels: resolved.labels,
          preprocessing: resolved.preprocessing,
          name,
          port: req.port,
          ...(req.host ? { host: req.host } : {}),
          ...(req.token ? { token: req.token } : {}),
        });
        const status: ServingStatus = { serving: true, url: server.url, model: resolved.source, labels: resolved.labels, tokenRequired: server.tokenRequired };
        current = { server, status, release: () => resolved.model.dispose() };
        return status;
      } catch (err) {
        resolved.model.dispose();
        throw err;
      }
    },
    'models.stopServing': stop,
    'models.serving': async () => current?.status ?? { serving: false },
    dispose: async () => {
      await stop();
    },
  };
}
