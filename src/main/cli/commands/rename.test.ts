import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TrainConfigSchema } from '../../../shared/config';
import { createRun, readRunSummary } from '../../runs';
import { openWorkspace, type Workspace } from '../../workspace';
import { runCli } from '../test-support';

const lab = runCli;

let ws: Workspace;
let runId = '';
beforeAll(async () => {
  process.env.LAB_HOME = mkdtempSync(path.join(os.tmpdir(), 'lab-cli-rename-'));
  ws = openWorkspace(process.env.LAB_HOME);
  const run = await createRun(ws, TrainConfigSchema.parse({ datasetId: 'd1', name: 'first try' }), { datasetName: 'Toys', classes: ['a', 'b'], backend: 'cpu', datasetFingerprint: 'x' });
  runId = run.id;
});
afterEach(() => vi.restoreAllMocks());

describe('lab rename', () => {
  it('renames the run; --json prints the run summary with the new name', async () => {
    const r = await lab(['rename', runId, 'adam baseline', '--json']);
    expect(r.code, r.stdout).toBe(0);
    const result = r.lines.find((l) => l.type === 'result') as unknown as { run: { id: string; name: string; status: string } };
    expect(result.run).toMatchObject({ id: runId, name: 'adam baseline', status: 'queued' });
    expect((await readRunSummary(ws, runId)).name).toBe('adam baseline');
  });

  it('joins unquoted words into one name and says so in plain text', async () => {
    const r = await lab(['rename', runId, 'sgd', 'lr', '0.05']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Run ${runId} is now named "sgd lr 0.05".`);
    expect((await readRunSummary(ws, runId)).name).toBe('sgd lr 0.05');
  });

  it('exits 2 with the usage when the run or the name is missing', async () => {
    for (const args of [['rename'], ['rename', runId]]) {
      const r = await lab(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('lab rename needs a run id and the new name');
      expect(r.stderr).toContain('rename <run> <new name>');
    }
    expect((await readRunSummary(ws, runId)).name).toBe('sgd lr 0.05');
  });

  it('exits 1 with a JSON error for a blank or too long name, or a run that does not exist', async () => {
    for (const bad of ['   ', 'x'.repeat(201)]) {
      const r = await lab(['rename', runId, bad, '--json']);
      expect(r.code).toBe(1);
      const error = (r.lines.find((l) => l.type === 'error') as unknown as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('BAD_ARGUMENT');
      expect(error.message).toMatch(/^name: /);
    }
    const missing = await lab(['rename', 'no-such-run', 'whatever', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.lines.find((l) => l.type === 'error')).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await readRunSummary(ws, runId)).name).toBe('sgd lr 0.05');
  });
});
