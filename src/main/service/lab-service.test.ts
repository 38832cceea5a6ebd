/** Disposing the lab service (closing the app, the CLI or the server shell) stops the prediction API it started. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../../shared/config';
import { ServeModelRequestSchema } from '../../shared/contract';
import { colourModel } from '../export/test-support/tiny-models';
import { createRun, saveModel } from '../runs';
import type { WorkerHandle } from '../worker/protocol';
import { openWorkspace } from '../workspace';
import { createLabService } from './lab-service';

const idleWorker = (): WorkerHandle => ({ send: () => {}, onMessage: () => {}, onExit: () => {}, drain: async () => {}, kill: () => {} });

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v1/model`);
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

describe('lab service dispose', () => {
  it('stops the prediction API server started with models.serve', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'lab-service-'));
    try {
      const ws = openWorkspace(path.join(root, 'home'));
      const config = TrainConfigSchema.parse({ datasetId: 'colours', name: 'colour run', input: { size: 8, channels: 3, fit: 'squash' } });
      const run = await createRun(ws, config, { datasetName: 'colours', classes: ['red', 'green', 'blue'], backend: 'cpu', datasetFingerprint: 'x' });
      await saveModel(ws.runDir(run.id), colourModel());
      const service = createLabService({ ws, shell: 'cli', launcher: idleWorker, version: 'test' });
      const status = await service.handlers['models.serve'](ServeModelRequestSchema.parse({ model: run.id }));
      expect(status.serving).toBe(true);
      const url = status.url ?? '';
      expect(await answers(url)).toBe(true);

      service.dispose();
      let open = true;
      for (let i = 0; i < 50 && open; i++) {
        await new Promise((r) => setTimeout(r, 20));
        open = await answers(url);
      }
      expect(open).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
