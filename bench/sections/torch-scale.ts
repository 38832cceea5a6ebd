// PyTorch engine scaling (#22): the same experiment through `lab train` as a PyTorch DDP job with 1 and 2 gloo
// processes (one torch thread each), as 1 process with 2 threads, and on the lab's own engine (the native oneDNN CPU
// path), one after the other in this run. Training images/s from each run's epoch events (global, all ranks),
// the first epoch left out (process start, job writing, warm-up); the same data, model, batch and seed everywhere.
// Flags: --torch-data DIR (resources/sample) --torch-epochs N (6) --torch-batch N (64) --torch-arch bench|ref (bench)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEER_ARCHITECTURES } from '../../src/main/models/peer-architectures';
import { PYTHON } from '../lib/peer';
import type { BenchContext, BenchSection, Row, SectionResult } from '../lib/section';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Variant {
  name: string;
  args: string[];
  env: Record<string, string>;
  threads: number;
}

interface Measured {
  variant: string;
  backend: string;
  threads: number;
  images_per_s: number;
  test_accuracy: number | null;
  wall_s: number;
  /** Load average just before the run (other work on the machine makes the figures noisy). */
  load1: number;
}

function runLab(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string; wallS: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'lab.js'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, wallS: (Date.now() - t0) / 1000 }));
  });
}

async function measure(v: Variant, data: string, config: string): Promise<Measured> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'bench-torch-scale-'));
  const load1 = Number(os.loadavg()[0]!.toFixed(2));
  try {
    const env = { ...process.env, LAB_HOME: home, LAB_FROM_SOURCE: '1', ...v.env };
    const r = await runLab(['train', data, '--config', config, '--json', ...v.args], env);
    const events = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = events.find((e) => e.type === 'result');
    if (r.code !== 0 || !result) throw new Error(`${v.name}: lab train failed (${r.code}): ${(r.stderr + r.stdout).slice(-800)}`);
    const epochs = (events.filter((e) => e.type === 'epoch') as { durationS: number; imagesPerS: number }[]).slice(1);
    // Every epoch trains on the whole split and its imagesPerS counts its batches only: the rate is their harmonic mean.
    const images = epochs.length;
    const seconds = epochs.reduce((s, e) => s + 1 / e.imagesPerS, 0);
    // The words the run keeps (run.json's backend: the lab's backend, or "PyTorch <version> on <device>, N processes").
    const runFile = path.join(home, 'runs', String(result.runId), 'run.json');
    const backend = existsSync(runFile) ? String((JSON.parse(readFileSync(runFile, 'utf8')) as { backend: string }).backend) : 'unknown';
    return {
      variant: v.name,
      backend,
      threads: v.threads,
      images_per_s: Math.round(images / seconds),
      test_accuracy: typeof result.testAccuracy === 'number' ? Number(result.testAccuracy.toFixed(4)) : null,
      wall_s: Number(r.wallS.toFixed(1)),
      load1,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export const section: BenchSection = {
  name: 'torch-scale',
  description: 'lab train --engine torch: 1 vs 2 gloo processes, and the same job on the lab engine (native CPU path)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install python3-torch python3-numpy`);
    const f = ctx.args.flags;
    const data = path.resolve(f['torch-data'] ?? path.join(ROOT, 'resources', 'sample'));
    const epochs = Number(f['torch-epochs'] ?? 6);
    const batch = Number(f['torch-batch'] ?? 64);
    const arch = (f['torch-arch'] ?? 'bench') as 'bench' | 'ref';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-torch-scale-cfg-'));
    const config = path.join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ input: { size: 28, channels: 1 }, model: PEER_ARCHITECTURES[arch], optimizer: { name: 'adam', lr: 1e-3 }, epochs, batchSize: batch, seed: 0, earlyStopping: { enabled: false } }));
    const cores = os.cpus().length;
    const variants: Variant[] = [
      { name: 'torch, 1 process × 1 thread', args: ['--engine', 'torch', '--processes', '1', '--device', 'cpu'], env: { OMP_NUM_THREADS: '1' }, threads: 1 },
      { name: 'torch, 2 processes × 1 thread (gloo)', args: ['--engine', 'torch', '--processes', '2', '--device', 'cpu'], env: { OMP_NUM_THREADS: '1' }, threads: 2 },
      { name: `torch, 1 process × ${cores} threads`, args: ['--engine', 'torch', '--processes', '1', '--device', 'cpu'], env: { OMP_NUM_THREADS: String(cores) }, threads: cores },
      { name: 'lab engine (native CPU path)', args: [], env: {}, threads: cores },
    ];
    const measured: Measured[] = [];
    try {
      for (const v of variants) {
        ctx.log(`  ${v.name}…`);
        measured.push(await measure(v, data, config));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const one = measured[0]!.images_per_s;
    const rows: Row[] = measured.map((m) => ({ ...m, vs_1_process: Number((m.images_per_s / one).toFixed(2)) }));
    return { rows, json: { data, epochs, batch, arch, measuredEpochs: epochs - 1, results: rows } };
  },
};
