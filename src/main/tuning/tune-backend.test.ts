import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TuneRequestSchema } from '../../shared/tuning';
import { initBackend } from '../engine/backend';
import { listRuns, readRunConfig } from '../runs';
import { syntheticImages } from '../training/synthetic-data';
import { openWorkspace } from '../workspace';
import { newTuneState } from './guide';
import { runTuneJob } from './job';
import { writeTuneState } from './state-store';

describe('a tune trains on the backend every other run trains on', () => {
  it('its runs say the backend the training process chose, as a normal run does (not the tfjs engine name "wasm")', async () => {
    const ws = openWorkspace(mkdtempSync(path.join(os.tmpdir(), 'tune-backend-')));
    const req = TuneRequestSchema.parse({
      config: { datasetId: 'synthetic', input: { size: 8, channels: 1 }, model: { kind: 'mlp', hidden: [{ units: 8, dropout: 0 }] }, optimizer: { name: 'adam', lr: 0.01 }, batchSize: 16, seed: 3 },
      steps: [2],
      budgets: { overfitPerClass: 3, overfitMaxEpochs: 3 },
    });
    writeTuneState(ws, newTuneState('tune-backend', req, 'synthetic'));
    const data = { train: syntheticImages({ n: 30, classes: 3, seed: 1 }), val: syntheticImages({ n: 12, classes: 3, seed: 2 }), datasetName: 'synthetic', fingerprint: 'synthetic@1' };
    await runTuneJob(ws, 'tune-backend', { emit: () => undefined }, { data });

    // What runTrainJob records for a normal run: the label of the backend initBackend chose in this process.
    const chosen = await initBackend();
    const runs = await listRuns(ws);
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.backend).toBe(chosen.label);
      expect(readRunConfig(ws, run.id).backend).toBe(chosen.label);
    }
  });
});
