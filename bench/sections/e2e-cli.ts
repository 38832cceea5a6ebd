// End to end through the real command (opt-in, `--e2e`): `lab train <folders>` — import, training and evaluation,
// in the lab's own processes, as a person runs it — against torch_ref.py on the same folders, one after the other
// in this run. For each: training images/s (the lab's epoch events; with train/ and test/ folders the lab carves its
// validation split, 10 %, out of train/ and validates on it every epoch inside the epoch's time, so its figure is
// 54,000 trained + 6,000 validated images per epoch against the peer's 60,000 trained and its training loop's time
// only: a handicap for the lab), test accuracy, the wall
// time of the whole command, the peak RSS of its largest process (GNU time) and the load average just before it.
// Flags (shared with e2e): --e2e-epochs N (5) --e2e-arch bench|ref (bench) --e2e-data DIR --e2e-batch N (64)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PEER_ARCHITECTURES } from '../../src/main/models/peer-architectures';
import { PYTHON, peerUnavailable } from '../lib/peer';
import type { BenchContext, BenchSection, Row, SectionResult } from '../lib/section';
import { ensureData } from './e2e';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GNU_TIME = '/usr/bin/time';

interface Measured {
  code: number;
  stdout: string;
  stderr: string;
  wallS: number;
  peakRssMiB: number | null;
  load1: number;
}

/** Runs a command to the end under GNU time (when present) for its peak RSS; never rejects. */
function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<Measured> {
  const load1 = Number(os.loadavg()[0]!.toFixed(2));
  const timed = existsSync(GNU_TIME);
  const [file, argv] = timed ? [GNU_TIME, ['-f', 'BENCH_MAXRSS_KB %M', cmd, ...args]] : [cmd, args];
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const kb = /BENCH_MAXRSS_KB (\d+)/.exec(stderr)?.[1];
      resolve({ code: code ?? 1, stdout, stderr, wallS: (Date.now() - t0) / 1000, peakRssMiB: kb ? Math.round(Number(kb) / 1024) : null, load1 });
    });
  });
}

interface LabE2E { backend: string; train_images_per_s: number; test_accuracy: number | null; epochs: number; wall_s: number; peak_rss_mib: number | null; load1: number }

async function runLab(dir: string, arch: 'bench' | 'ref', epochs: number, batch: number): Promise<LabE2E> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'bench-e2e-cli-'));
  try {
    const cfg = path.join(home, 'config.json');
    writeFileSync(cfg, JSON.stringify({
      input: { size: 28, channels: 1 }, model: PEER_ARCHITECTURES[arch], optimizer: { name: 'adam', lr: 1e-3 },
      epochs, batchSize: batch, seed: 0, earlyStopping: { enabled: false },
    }));
    const m = await measure(process.execPath, [path.join(ROOT, 'bin', 'lab.js'), 'train', dir, '--config', cfg, '--json'], { ...process.env, LAB_HOME: path.join(home, 'lab') }, 3_600_000);
    const events = m.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = events.find((e) => e.type === 'result');
    if (m.code !== 0 || !result) throw new Error(`lab train failed (${m.code}): ${(m.stderr + m.stdout).slice(-800)}`);
    const epochLogs = events.filter((e) => e.type === 'epoch') as { durationS: number; imagesPerS: number }[];
    // Each epoch trains on the whole training split, and its imagesPerS counts its batches only (the validation
    // pass excluded, as torch_ref.py's train_time excludes its evaluation): the run's rate is their harmonic mean.
    const images = epochLogs.length;
    const seconds = epochLogs.reduce((s, e) => s + 1 / e.imagesPerS, 0);
    const backendLine = events.find((e) => e.type === 'info' && /^Training on /.test(String(e.message)));
    return {
      backend: backendLine ? String(backendLine.message).replace(/^Training on /, '').replace(/\.$/, '') : 'unknown',
      train_images_per_s: Math.round(images / seconds),
      test_accuracy: typeof result.testAccuracy === 'number' ? result.testAccuracy : null,
      epochs: epochLogs.length,
      wall_s: Number(m.wallS.toFixed(1)),
      peak_rss_mib: m.peakRssMiB,
      load1: m.load1,
    };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

export const section: BenchSection = {
  name: 'e2e-cli',
  description: 'the real `lab train` command (import, train, evaluate) vs torch_ref.py on the same Fashion-MNIST folders (opt-in: --e2e)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const f = ctx.args.flags;
    const epochs = Number(f['e2e-epochs'] ?? 5);
    const batch = Number(f['e2e-batch'] ?? 64);
    const arch = f['e2e-arch'] === 'ref' ? 'ref' : 'bench';
    const dir = path.resolve(f['e2e-data'] ?? process.env.LAB_BENCH_DATA ?? path.join(os.tmpdir(), 'lab-bench-fmnist'));
    await ensureData(ctx, dir);

    ctx.log(`e2e-cli: lab train ${dir} (${arch}, ${epochs} epochs, batch ${batch}) …`);
    const lab = await runLab(dir, arch, epochs, batch);
    const rows: Row[] = [{ who: `lab train (${lab.backend})`, 'train img/s': lab.train_images_per_s, 'test acc': lab.test_accuracy, 'wall s': lab.wall_s, 'peak RSS MiB': lab.peak_rss_mib, load: lab.load1 }];

    const whyNot = await peerUnavailable(ctx.peersDir);
    let peer: (Record<string, unknown> & { train_images_per_s: number; test_accuracy: number }) | null = null;
    let peerRun: Measured | null = null;
    if (whyNot) ctx.log(whyNot);
    else {
      ctx.log('e2e-cli: torch_ref.py …');
      peerRun = await measure(PYTHON, [path.join(ctx.peersDir!, 'torch_ref.py'), '--data', dir, '--arch', arch, '--epochs', String(epochs), '--batch', String(batch)], process.env, 3_600_000);
      const line = peerRun.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (peerRun.code !== 0 || !line) throw new Error(`torch_ref.py failed (${peerRun.code}): ${peerRun.stderr.slice(-500)}`);
      peer = JSON.parse(line);
      rows.push({ who: String(peer!.peer), 'train img/s': peer!.train_images_per_s, 'test acc': peer!.test_accuracy, 'wall s': Number(peerRun.wallS.toFixed(1)), 'peak RSS MiB': peerRun.peakRssMiB, load: peerRun.load1 });
      rows.push({
        who: 'ratio lab/peer',
        'train img/s': Number((lab.train_images_per_s / peer!.train_images_per_s).toFixed(3)),
        'test acc': lab.test_accuracy === null ? null : Number((lab.test_accuracy - peer!.test_accuracy).toFixed(4)),
        'wall s': Number((lab.wall_s / peerRun.wallS).toFixed(2)),
        'peak RSS MiB': lab.peak_rss_mib && peerRun.peakRssMiB ? Number((lab.peak_rss_mib / peerRun.peakRssMiB).toFixed(2)) : null,
        load: null,
      });
    }
    return { rows, json: { arch, epochs, batch, data: dir, lab, peer, peerWallS: peerRun?.wallS ?? null, peerPeakRssMiB: peerRun?.peakRssMiB ?? null, peerSkipped: whyNot } };
  },
};
