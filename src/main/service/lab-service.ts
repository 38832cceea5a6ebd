/** The LabService: every LabApi call, implemented once over the engine, shared by all three shells. */
import type { LabHandlers } from '../../shared/contract';
import type { LabEvent } from '../../shared/events';
import { labVersion } from '../install-paths';
import type { WorkerLauncher } from '../worker/protocol';
import { resolveSampleImage } from '../datasets';
import type { Workspace } from '../workspace';
import type { ServiceContext } from './context';
import { appHandlers } from './handlers/app';
import { augmentHandlers } from './handlers/augment';
import { backboneHandlers } from './handlers/backbones';
import { captureHandlers } from './handlers/capture';
import { conceptsHandlers } from './handlers/concepts';
import { datasetHandlers } from './handlers/datasets';
import { exportHandlers } from './handlers/export';
import { liveHandlers } from './handlers/live';
import { runHandlers } from './handlers/runs';
import { tuningHandlers } from './handlers/tuning';
import { RunManager } from './run-manager';

export interface LabService {
  handlers: LabHandlers;
  runs: RunManager;
  ctx: ServiceContext;
  /** Subscribe to every event; returns the unsubscribe function. */
  onEvent(listener: (event: LabEvent) => void): () => void;
  /** A dataset image by manifest index (never by path), for the lab:// protocol and the server's /api/image. */
  resolveImage(datasetId: string, index: number, variant: 'thumb' | 'full'): Promise<{ data: Buffer; contentType: string }>;
  dispose(): void;
}

export function createLabService(opts: { ws: Workspace; shell: ServiceContext['shell']; launcher: WorkerLauncher; version?: string }): LabService {
  const listeners = new Set<(event: LabEvent) => void>();
  const ctx: ServiceContext = {
    ws: opts.ws,
    shell: opts.shell,
    version: opts.version ?? labVersion(),
    emit: (event) => {
      for (const l of listeners) l(event);
    },
  };
  const runs = new RunManager(ctx, opts.launcher);
  const { dispose: disposeTuning, ...tuning } = tuningHandlers(ctx, opts.launcher);
  const { dispose: stopServing, ...exporting } = exportHandlers(ctx);
  const { dispose: releaseLive, ...live } = liveHandlers(ctx);
  const handlers: LabHandlers = {
    ...appHandlers(ctx),
    ...datasetHandlers(ctx),
    ...runHandlers(ctx, runs),
    ...exporting,
    ...live,
    ...augmentHandlers(ctx),
    ...backboneHandlers(ctx),
    ...conceptsHandlers(ctx),
    ...tuning,
    ...captureHandlers(ctx),
  };
  return {
    handlers,
    runs,
    ctx,
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    resolveImage: (datasetId, index, variant) => resolveSampleImage(opts.ws, datasetId, index, variant),
    dispose: () => {
      runs.dispose();
      disposeTuning();
      // The prediction API server (models.serve) must not outlive the service: its port and model are released.
      void stopServing().catch(() => undefined);
      void releaseLive().catch(() => undefined);
    },
  };
}
