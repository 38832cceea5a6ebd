// The lab's side of `lab train --engine torch`, against a stand-in job package (test-support/fake-labjob.ts):
// job folder, rank environment, LAB lines into the run, conversion back, crash / refusal / stop + resume paths.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../cli/test-support';
import { writeFakeLabjob } from './test-support/fake-labjob';
import { DEBIAN_PYTHON } from './python';

const root = mkdtempSync(path.join(os.tmpdir(), 'lab-torch-launch-'));
const data = path.join(root, 'images');
const saved = { ...process.env };
const hasPython = existsSync(DEBIAN_PYTHON);
if (!hasPython) console.warn(`torch-launch tests skipped: ${DEBIAN_PYTHON} is missing (apt-get install python3)`);

beforeAll(async () => {
  process.env.LAB_HOME = path.join(root, 'home');
  process.env.LAB_TORCH_JOB_PACKAGE = writeFakeLabjob(path.join(root, 'fake'));
  for (const [cls, level] of [['bright', 220], ['dark', 30]] as const) {
    mkdirSync(path.join(data, cls), { recursive: true });
    for (let i = 0; i < 10; i++) {
      const px = Buffer.alloc(8 * 8 * 3, level + (i % 5) * 4);
      await sharp(px, { raw: { width: 8, height: 8, channels: 3 } }).png().toFile(path.join(data, cls, `${i}.png`));
    }
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.FAKE_LABJOB_MODE;
  delete process.env.LAB_PYTHON;
});
afterAll(() => {
  process.env = saved;
});

const runDir = (id: string) => path.join(root, 'home', 'runs', id);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const rankPids = (id: string) => [0, 1].map((k) => path.join(runDir(id), 'torch-job', `pid-rank${k}`)).filter(existsSync).map((f) => Number(readFileSync(f, 'utf8')));
const train = ['train', data, '--epochs', '2', '--batch-size', '4', '--size', '8', '--json', '--engine', 'torch'];

describe.skipIf(!hasPython)('lab train --engine torch (stand-in job package)', () => {
  it('writes the job, runs 2 ranks with torchrun-style variables, and ends as a normal run that evaluates, exports and predicts', async () => {
    const r = await runCli([...train, '--processes', '2']);
    expect(r.code, JSON.stringify(r.lines.filter((l) => l.type === 'error'))).toBe(0);
    expect(r.lines.filter((l) => l.type === 'epoch').map((l) => l.epoch)).toEqual([1, 2]);
    const result = r.lines.find((l) => l.type === 'result') as unknown as { runId: string; status: string; testAccuracy: number | null };
    expect(result.status).toBe('completed');
    const dir = runDir(result.runId);
    const job = JSON.parse(readFileSync(path.join(dir, 'torch-job', 'job.json'), 'utf8')) as { classes: string[]; inputShape: number[]; data: { train: { count: number } }; preprocessing: { normalization: string } };
    expect(job.classes).toEqual(['bright', 'dark']);
    expect(job.inputShape).toEqual([8, 8, 3]);
    expect(readFileSync(path.join(dir, 'torch-job', 'data', 'train-x.u8')).length).toBe(job.data.train.count * 8 * 8 * 3);
    expect(job.preprocessing.normalization).toBe('unit');
    const env = JSON.parse(readFileSync(path.join(dir, 'torch-job', 'seen-env.json'), 'utf8')) as Record<string, unknown>;
    expect(env).toMatchObject({ RANK: '0', WORLD_SIZE: '2', LOCAL_RANK: '0', MASTER_ADDR: '127.0.0.1', OMP_NUM_THREADS: '1', resume: false });
    expect(Number(env.MASTER_PORT)).toBeGreaterThan(0);
    // The run itself: metric lines, progress, engine, backend words, model, evaluation.
    const metrics = readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string });
    expect(metrics.filter((m) => m.kind === 'epoch')).toHaveLength(2);
    expect(metrics.filter((m) => m.kind === 'batch')).toHaveLength(2);
    const run = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as { engine: string; backend: string; epochsDone: number; bestEpoch: number };
    expect(run).toMatchObject({ engine: 'torch', epochsDone: 2, bestEpoch: 2 });
    expect(run.backend).toBe('PyTorch fake on cpu, 2 processes');
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')).engine).toMatchObject({ engine: 'torch', processes: 2, launcher: 'local' });
    expect(existsSync(path.join(dir, 'model', 'model.json'))).toBe(true);
    expect(result.testAccuracy).not.toBeNull();
    const out = path.join(root, 'onnx');
    const exported = await runCli(['export', result.runId, '--format', 'onnx', '--out', out, '--json']);
    expect(exported.code, exported.stdout).toBe(0);
    expect(readdirSync(out).some((f) => f.endsWith('.onnx'))).toBe(true);
    const predicted = await runCli(['predict', result.runId, path.join(data, 'bright', '0.png'), '--json']);
    expect(predicted.code, predicted.stdout).toBe(0);
  }, 120_000);

  it('a rank that crashes fails the run with its stderr tail and leaves no rank running', async () => {
    process.env.FAKE_LABJOB_MODE = 'crash';
    const r = await runCli([...train, '--processes', '2']);
    expect(r.code).toBe(1);
    const { error } = r.lines.find((l) => l.type === 'error') as unknown as { error: { message: string } };
    expect(error.message).toContain('rank 1 of 2 failed (exit code 1)');
    expect(error.message).toContain('RuntimeError: fake rank failure');
    const id = readdirSync(path.join(root, 'home', 'runs')).sort().at(-1)!;
    expect(JSON.parse(readFileSync(path.join(runDir(id), 'run.json'), 'utf8')).status).toBe('failed');
    const pids = rankPids(id);
    expect(pids).toHaveLength(2);
    expect(pids.filter(alive)).toEqual([]);
  }, 120_000);

  it('a job the package refuses (exit 2) says why', async () => {
    process.env.FAKE_LABJOB_MODE = 'invalid';
    const r = await runCli(train);
    expect(r.code).toBe(1);
    expect((r.lines.find((l) => l.type === 'error') as unknown as { error: { message: string } }).error.message).toBe('PyTorch refused the job: Layer class FancyLayer cannot be expressed in PyTorch');
  }, 120_000);

  it('without Python the message names LAB_PYTHON and the package to install, and starts nothing', async () => {
    process.env.LAB_PYTHON = path.join(root, 'no-such-python3');
    const r = await runCli(train);
    expect(r.code).toBe(1);
    const message = (r.lines.find((l) => l.type === 'error') as unknown as { error: { message: string } }).error.message;
    expect(message).toContain('LAB_PYTHON');
    expect(message).toContain('/usr/bin/python3');
  }, 120_000);

  it('stopped mid-run (SIGTERM to every rank), then lab resume continues the job from its checkpoint to a finished run', async () => {
    process.env.FAKE_LABJOB_MODE = 'hang';
    const running = runCli([...train, '--processes', '2', '--epochs', '3']);
    const runs = path.join(root, 'home', 'runs');
    const before = new Set(existsSync(runs) ? readdirSync(runs) : []);
    let id: string | undefined;
    for (let i = 0; i < 600 && !id; i++) {
      await new Promise((r) => setTimeout(r, 100));
      id = readdirSync(runs).find((n) => !before.has(n) && existsSync(path.join(runs, n, 'torch-job', 'ckpt', 'last.pt')));
    }
    expect(id).toBeDefined();
    process.emit('SIGINT');
    const stopped = await running;
    expect(stopped.code).toBe(0);
    expect((stopped.lines.find((l) => l.type === 'result') as unknown as { status: string }).status).toBe('stopped');
    expect(rankPids(id!).filter(alive)).toEqual([]);
    const listed = await runCli(['resume', id!, '--json']);
    expect(listed.code, listed.stdout).toBe(0);
    expect((listed.lines.find((l) => l.type === 'result') as unknown as { status: string }).status).toBe('completed');
    expect(JSON.parse(readFileSync(path.join(runDir(id!), 'torch-job', 'seen-env.json'), 'utf8')).resume).toBe(true);
    const epochs = readFileSync(path.join(runDir(id!), 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; epoch: number }).filter((m) => m.kind === 'epoch').map((m) => m.epoch);
    expect(epochs).toEqual([1, 2, 3]);
  }, 120_000);
});
