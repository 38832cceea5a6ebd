// `lab train --engine torch` against the real labjob package and Debian's PyTorch (python3-torch, CPU), on the
// bundled Fashion-MNIST sample. Skipped, saying why, where /usr/bin/python3 has no PyTorch.
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, type Line } from '../cli/test-support';
import { sampleDir } from '../install-paths';
import { loadModelFromDir } from '../models';
import { toInputTensor } from '../training/input';
import { DEBIAN_PYTHON } from './python';

function torchMissing(): string | null {
  if (!existsSync(DEBIAN_PYTHON)) return `${DEBIAN_PYTHON} is missing`;
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    return null;
  } catch {
    return `${DEBIAN_PYTHON} has no PyTorch/NumPy (apt-get install python3-torch python3-numpy)`;
  }
}
const missing = torchMissing();
if (missing) console.warn(`torch-engine tests skipped: ${missing}`);

const root = mkdtempSync(path.join(os.tmpdir(), 'lab-torch-engine-'));
const saved = { ...process.env };
beforeAll(() => {
  process.env.LAB_HOME = path.join(root, 'home');
  delete process.env.LAB_TORCH_JOB_PACKAGE;
  delete process.env.LAB_PYTHON;
});
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  process.env = saved;
});

type Result = { runId: string; status: string; testAccuracy: number; epochsDone: number };
const resultOf = (lines: Line[]) => lines.find((l) => l.type === 'result') as unknown as Result;
const runDir = (id: string) => path.join(root, 'home', 'runs', id);
const epochLosses = (id: string) =>
  readFileSync(path.join(runDir(id), 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; epoch: number; loss: number })
    .filter((m) => m.kind === 'epoch');
// The sample's small CNN, 2 epochs, global batch 32: the same experiment on both engines.
const experiment = ['--epochs', '2', '--batch-size', '32', '--json'];
let torchRun: Result;

describe.skipIf(missing !== null)('lab train --engine torch (PyTorch, 2 gloo ranks)', () => {
  it('runs the sample as a 2-process job that comes back as a normal run: curves, evaluation, identical rank weights, the lab engine\'s accuracy, exports', async () => {
    const r = await runCli(['train', sampleDir(), '--engine', 'torch', '--processes', '2', ...experiment]);
    expect(r.code, JSON.stringify(r.lines.filter((l) => l.type === 'error'))).toBe(0);
    torchRun = resultOf(r.lines);
    expect(torchRun.status).toBe('completed');
    expect(r.lines.filter((l) => l.type === 'epoch').map((l) => l.epoch)).toEqual([1, 2]);
    const dir = runDir(torchRun.runId);
    expect(existsSync(path.join(dir, 'evaluation.json'))).toBe(true);
    const sha = [0, 1].map((k) => readFileSync(path.join(dir, 'torch-job', 'out', `weights-sha256-rank${k}.txt`), 'utf8').trim());
    expect(sha[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(sha[1]).toBe(sha[0]);

    // The lab's own engine on the same experiment: the same test accuracy within 1 point (measured: 79.0% both).
    const lab = await runCli(['train', sampleDir(), ...experiment]);
    expect(lab.code).toBe(0);
    expect(Math.abs(resultOf(lab.lines).testAccuracy - torchRun.testAccuracy)).toBeLessThanOrEqual(0.01);

    const out = path.join(root, 'onnx');
    const exported = await runCli(['export', torchRun.runId, '--format', 'onnx', '--out', out, '--json']);
    expect(exported.code, exported.stdout).toBe(0);
    expect(readdirSync(out).some((f) => f.endsWith('.onnx'))).toBe(true);
    const predicted = await runCli(['predict', torchRun.runId, path.join(sampleDir(), 'test', 'bag'), '--json']);
    expect(predicted.code, predicted.stdout).toBe(0);
  }, 300_000);

  it('the converted-back model predicts what the PyTorch model predicts, within 1e-4', async () => {
    const job = path.join(runDir(torchRun.runId), 'torch-job');
    const file = path.join(root, 'torch-val.f32');
    execFileSync(DEBIAN_PYTHON, ['-m', 'labjob', 'predict', '--job', job, '--model', path.join(job, 'out'), '--split', 'val', '--out', file], {
      env: { ...process.env, PYTHONPATH: job, OMP_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1' },
    });
    const torchProbs = new Float32Array(new Uint8Array(readFileSync(file)).buffer);
    const spec = JSON.parse(readFileSync(path.join(job, 'job.json'), 'utf8')) as { data: { val: { x: string; count: number } }; inputShape: [number, number, number] };
    const [size, , channels] = spec.inputShape;
    const model = await loadModelFromDir(path.join(runDir(torchRun.runId), 'model'));
    const x = toInputTensor(new Uint8Array(readFileSync(path.join(job, spec.data.val.x))), spec.data.val.count, size, channels, 'unit');
    const labProbs = (model.predict(x) as tf.Tensor).dataSync();
    expect(torchProbs.length).toBe(labProbs.length);
    expect(torchProbs.length).toBe(spec.data.val.count * 10);
    let worst = 0;
    for (let i = 0; i < labProbs.length; i++) worst = Math.max(worst, Math.abs(labProbs[i]! - torchProbs[i]!));
    expect(worst).toBeLessThan(1e-4);
    x.dispose();
    model.dispose();
  }, 120_000);

  it('a job stopped mid-run (SIGTERM to both ranks) resumes with lab resume from its checkpoint and retraces the uninterrupted curve', async () => {
    const runs = path.join(root, 'home', 'runs');
    const before = new Set(readdirSync(runs));
    const running = runCli(['train', sampleDir(), '--engine', 'torch', '--processes', '2', '--epochs', '3', '--batch-size', '32', '--json']);
    let id: string | undefined;
    for (let i = 0; i < 1200 && !id; i++) {
      await new Promise((r) => setTimeout(r, 100));
      id = readdirSync(runs).find((n) => !before.has(n) && existsSync(path.join(runs, n, 'torch-job', 'ckpt', 'last.pt')));
    }
    expect(id).toBeDefined();
    process.emit('SIGINT');
    const stopped = await running;
    expect(resultOf(stopped.lines).status).toBe('stopped');
    expect(epochLosses(id!).length).toBeLessThan(3);
    const resumed = await runCli(['resume', id!, '--json']);
    expect(resumed.code, resumed.stdout).toBe(0);
    expect(resultOf(resumed.lines).status).toBe('completed');
    const epochs = epochLosses(id!);
    expect([...new Set(epochs.map((e) => e.epoch))]).toEqual([1, 2, 3]);
    // Same seed, same global batches: epochs 1–2 equal the uninterrupted 2-epoch run's.
    const reference = epochLosses(torchRun.runId);
    for (const e of [1, 2]) expect(epochs.filter((l) => l.epoch === e).at(-1)!.loss).toBeCloseTo(reference[e - 1]!.loss, 4);
  }, 300_000);
});
