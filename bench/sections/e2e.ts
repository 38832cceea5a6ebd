// End to end (opt-in, `--e2e`): Fashion-MNIST as PNG class folders, 5 epochs of `bench` on the lab's default CPU
// path and on the PyTorch peer; wall time, training images/s and test accuracy for each.
// The folders are made once with ../shared/peers/fmnist_to_folders.py (Debian's dataset-fashion-mnist) under
// LAB_BENCH_DATA (default: <tmp>/lab-bench-fmnist).
// Flags: --e2e-epochs N (5) --e2e-limit N (per class, 0 = all) --e2e-data DIR --e2e-arch bench|ref (bench)
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { runPeerBenchmark } from '../../src/main/training/peer-benchmark';
import { PYTHON, peerUnavailable, runPeer } from '../lib/peer';
import type { BenchContext, BenchSection, SectionResult } from '../lib/section';

export async function ensureData(ctx: BenchContext, dir: string): Promise<void> {
  if (existsSync(path.join(dir, 'train')) && existsSync(path.join(dir, 'test'))) return;
  if (!ctx.peersDir) throw new Error('no Fashion-MNIST folders and no ../shared/peers/fmnist_to_folders.py to make them');
  ctx.log(`e2e: writing Fashion-MNIST PNG folders to ${dir} (once) …`);
  await promisify(execFile)(PYTHON, [path.join(ctx.peersDir, 'fmnist_to_folders.py'), dir], { maxBuffer: 16 << 20 });
}

export const section: BenchSection = {
  name: 'e2e',
  description: 'Fashion-MNIST PNG folders, `bench` (or --e2e-arch ref) CNN: lab default CPU path vs the PyTorch peer (opt-in: --e2e)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const f = ctx.args.flags;
    const epochs = Number(f['e2e-epochs'] ?? 5);
    const arch = f['e2e-arch'] === 'ref' ? 'ref' : 'bench';
    const limit = Number(f['e2e-limit'] ?? 0);
    const dir = path.resolve(f['e2e-data'] ?? process.env.LAB_BENCH_DATA ?? path.join(os.tmpdir(), 'lab-bench-fmnist'));
    await ensureData(ctx, dir);

    // The lab's own path: its trainer (TrainStep, the document's Adam), its model of the peer's architecture, its
    // default backend, and its evaluation — what `lab train` does, minus the workspace bookkeeping.
    const lab = await runPeerBenchmark({ data: dir, arch, epochs, limit, log: (line) => ctx.log(`e2e: ${line}`) });

    const whyNot = await peerUnavailable(ctx.peersDir);
    let peer = null;
    if (whyNot) ctx.log(whyNot);
    else {
      ctx.log('e2e: PyTorch peer …');
      const args = ['--data', dir, '--arch', arch, '--epochs', String(epochs)];
      if (limit) args.push('--limit', String(limit));
      peer = await runPeer(ctx.peersDir!, args);
    }
    const rows = [
      { who: `lab (${lab.backend})`, 'train img/s': lab.train_images_per_s, 'test acc': lab.test_accuracy, 'wall s': lab.total_s },
      ...(peer
        ? [{ who: peer.peer, 'train img/s': peer.train_images_per_s, 'test acc': peer.test_accuracy, 'wall s': peer.total_s }]
        : []),
    ];
    if (peer) {
      rows.push({
        who: 'ratio lab/peer',
        'train img/s': Number((lab.train_images_per_s / peer.train_images_per_s).toFixed(3)),
        'test acc': Number((lab.test_accuracy - peer.test_accuracy).toFixed(4)),
        'wall s': Number((lab.total_s / peer.total_s).toFixed(2)),
      });
    }
    return { rows, json: { arch, epochs, limit, data: dir, lab, peer, peerSkipped: whyNot } };
  },
};
