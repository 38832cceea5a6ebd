// Training throughput of the lab's CPU paths against the PyTorch peer, measured back to back per architecture:
// the `bench` and `ref` CNNs of torch_ref.py, batch 64, Adam, synthetic images (as the peer's --synthetic).
// Flags: --steps N (10) --warmup N (2) --budget S (30 s per lab measurement) --peer-threads T (2) --arch bench,ref --input 28x28x1,32x32x3 --approaches wasm,cpu-fast[,cpu]
//        --profile (per-kernel ms per step) --no-peer
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { APPROACHES } from '../lib/approaches';
import { buildModel, PEER_ARCHITECTURES } from '../../src/main/models';
import { parseTrainConfig } from '../../src/main/training/train-config';
import { TrainStep } from '../../src/main/training/train-step';
import { peerUnavailable, runPeer, type PeerResult } from '../lib/peer';
import type { BenchContext, BenchSection, Row, SectionResult } from '../lib/section';

const BATCH = 64;

type BenchArch = 'bench' | 'ref';

interface Config {
  arch: BenchArch;
  size: number;
  channels: number;
}

export interface LabMeasurement {
  approach: string;
  imagesPerS: number | null;
  steps?: number;
  error?: string;
  profile?: Record<string, number>;
  load: number;
}

function parseList(v: string | undefined, fallback: string[]): string[] {
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : fallback;
}

function parseInput(s: string): { size: number; channels: number } {
  const m = /^(\d+)x\1x(1|3)$/.exec(s);
  if (!m) throw new Error(`--input ${s}: expected SxSxC with C 1 or 3, e.g. 28x28x1`);
  return { size: Number(m[1]), channels: Number(m[2]) };
}

/**
 * Trains `steps` batches after `warmup` (or fewer, at least one, once `budgetS` seconds have passed) and returns
 * images per second, plus a per-kernel profile of one step if asked. The model is the lab's own build of the
 * peer's architecture (SeedBatchNorm, logits head) and each step is the trainer's own (TrainStep: the document's
 * Adam, cross-entropy from logits, loss and accuracy read back every batch) — what a run does per batch.
 */
export async function measureLab(
  cfg: Config,
  steps: number,
  warmup: number,
  profile: boolean,
  budgetS = Infinity,
): Promise<{ imagesPerS: number; steps: number; profile?: Record<string, number> }> {
  const config = parseTrainConfig({
    datasetId: 'bench',
    input: { size: cfg.size, channels: cfg.channels },
    model: PEER_ARCHITECTURES[cfg.arch],
    optimizer: { name: 'adam', lr: 1e-3 },
    batchSize: BATCH,
    epochs: 1,
    earlyStopping: { enabled: false },
  });
  const model = await buildModel(config, 10);
  const step = new TrainStep(model, config);
  const x = tf.randomUniform([BATCH, cfg.size, cfg.size, cfg.channels]);
  const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32') as tf.Tensor1D, 10);
  let seed = 0;
  const train = () => step.run(x, y, 1e-3, seed++);
  try {
    // Warm-up and profiling count against the budget too: a slow path gets one warm-up step and no profile.
    const tw = performance.now();
    for (let i = 0; i < warmup && (i === 0 || performance.now() - tw < (budgetS * 1000) / 4); i++) await train();
    let kernels: Record<string, number> | undefined;
    if (profile && performance.now() - tw < (budgetS * 1000) / 4) {
      const info = await tf.profile(async () => {
        await train();
      });
      kernels = {};
      for (const k of info.kernels) kernels[k.name] = (kernels[k.name] ?? 0) + Number(k.kernelTimeMs);
    }
    const t0 = performance.now();
    let done = 0;
    while (done < steps && (done === 0 || performance.now() - t0 < budgetS * 1000)) {
      await train();
      done++;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { imagesPerS: (done * BATCH) / seconds, steps: done, ...(kernels ? { profile: kernels } : {}) };
  } finally {
    tf.dispose([x, y]);
    step.optimizer.dispose();
    model.dispose();
  }
}

function topKernels(p: Record<string, number> | undefined, n = 8): string {
  if (!p) return '';
  return Object.entries(p)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');
}

export const section: BenchSection = {
  name: 'training',
  description: 'training images/s: lab CPU paths vs the PyTorch peer (bench and ref CNNs, batch 64, Adam)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const f = ctx.args.flags;
    const steps = Number(f.steps ?? 10);
    const warmup = Number(f.warmup ?? 2);
    const archs = parseList(f.arch, ['bench', 'ref']) as BenchArch[];
    const inputs = parseList(f.input, ['28x28x1', '32x32x3']).map(parseInput);
    const wanted = parseList(f.approaches, APPROACHES.filter((a) => !a.optIn).map((a) => a.name));
    const approaches = wanted.map((name) => {
      const a = APPROACHES.find((x) => x.name === name);
      if (!a) throw new Error(`--approaches: unknown ${name}; use ${APPROACHES.map((x) => x.name).join(', ')}`);
      return a;
    });
    const budget = Number(f.budget ?? 30);
    const peerThreads = f['peer-threads'] ?? '2';
    const noPeer = f['no-peer'] === 'true';
    const peerWhyNot = noPeer ? 'peer skipped: --no-peer' : await peerUnavailable(ctx.peersDir);
    if (peerWhyNot) ctx.log(peerWhyNot);

    const rows: Row[] = [];
    const results: { config: Config; lab: LabMeasurement[]; peer: PeerResult | null; peerError?: string }[] = [];
    for (const arch of archs) {
      for (const { size, channels } of inputs) {
        const config = { arch, size, channels };
        const lab: LabMeasurement[] = [];
        for (const a of approaches) {
          ctx.log(`training: ${arch} ${size}x${size}x${channels} on ${a.name} …`);
          const load = os.loadavg()[0]!;
          try {
            await a.activate();
            // Slow paths (the JS CPU kernels take seconds per step) stop after --budget seconds, at least one step.
            const m = await measureLab(config, steps, a.optIn ? 0 : warmup, f.profile === 'true', budget);
            ctx.log(
              `  ${a.name}: ${m.imagesPerS.toFixed(1)} img/s over ${m.steps} steps (load ${load.toFixed(1)})` +
                (m.profile ? `; ms/step: ${topKernels(m.profile, 10)}` : ''),
            );
            lab.push({
              approach: a.name,
              imagesPerS: m.imagesPerS,
              steps: m.steps,
              load,
              ...(m.profile ? { profile: m.profile } : {}),
            });
          } catch (err) {
            lab.push({ approach: a.name, imagesPerS: null, load, error: String((err as Error).message ?? err) });
          }
        }
        let peer: PeerResult | null = null;
        let peerError: string | undefined;
        if (!peerWhyNot && ctx.peersDir) {
          ctx.log(`training: ${arch} ${size}x${size}x${channels} on the PyTorch peer …`);
          const n = BATCH * Math.max(steps + warmup, 16);
          try {
            const peerLoad = os.loadavg()[0]!;
            peer = await runPeer(ctx.peersDir, [
              '--synthetic', String(n), '--size', String(size), '--channels', String(channels), '--arch', arch,
              '--threads', peerThreads,
            ]);
            ctx.log(`  peer: ${peer.train_images_per_s} img/s (load ${peerLoad.toFixed(1)})`);
          } catch (err) {
            peerError = String((err as Error).message ?? err);
            ctx.log(`peer failed: ${peerError}`);
          }
        }
        results.push({ config, lab, peer, ...(peerError ? { peerError } : {}) });
        for (const m of lab) {
          rows.push({
            arch,
            input: `${size}x${size}x${channels}`,
            approach: m.approach,
            'lab img/s': m.imagesPerS === null ? null : Number(m.imagesPerS.toFixed(1)),
            steps: m.steps ?? null,
            'peer img/s': peer ? peer.train_images_per_s : null,
            ratio: m.imagesPerS !== null && peer ? Number((m.imagesPerS / peer.train_images_per_s).toFixed(3)) : null,
            load1: Number(m.load.toFixed(2)),
            ...(m.error ? { error: m.error.slice(0, 80) } : {}),
            ...(m.profile ? { 'top kernels (ms/step)': topKernels(m.profile) } : {}),
          });
        }
      }
    }
    return { rows, json: { batch: BATCH, steps, warmup, peerThreads, peerSkipped: peerWhyNot, results } };
  },
};
