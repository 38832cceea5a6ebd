import { describe, expect, it } from 'vitest';
import type { BatchLog, EpochLog } from '../dto';
import { TrainConfigSchema, type TrainConfig } from '../config';
import { diagnose } from './diagnosis';
import { applyPatch } from './diagnosis-actions';
import { actionText, diagnosisText, evidenceText } from './diagnosis-text';

/** Small deterministic noise so curves look like real ones. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

interface Point {
  loss: number;
  acc: number;
  valLoss: number;
  valAcc: number;
}

function run(n: number, f: (e: number) => Point, batchesPerEpoch = 20, seed = 1): { epochs: EpochLog[]; batches: BatchLog[] } {
  const r = rng(seed);
  const epochs: EpochLog[] = [];
  const batches: BatchLog[] = [];
  for (let e = 1; e <= n; e++) {
    for (let b = 0; b < batchesPerEpoch; b++) {
      const p = f(e - 1 + (b + 1) / batchesPerEpoch);
      batches.push({ epoch: e, batch: b, batchesPerEpoch, loss: p.loss * (1 + 0.1 * r()), accuracy: p.acc, lr: 1e-3 });
    }
    const p = f(e);
    epochs.push({
      epoch: e,
      loss: p.loss,
      accuracy: p.acc,
      valLoss: p.valLoss,
      valAccuracy: p.valAcc,
      lr: 1e-3,
      durationS: 1,
      imagesPerS: 100,
      bestEpoch: null,
      patienceLeft: null,
    });
  }
  return { epochs, batches };
}

const config: TrainConfig = TrainConfigSchema.parse({ datasetId: 'ds1' });

function expectValidPatches(d: ReturnType<typeof diagnose>): void {
  for (const a of d.actions) {
    const next = applyPatch(config, a.patch);
    expect(() => TrainConfigSchema.parse(next), a.id).not.toThrow();
    expect(JSON.stringify(next), `${a.id} must change something`).not.toBe(JSON.stringify(config));
    expect(next.datasetId).toBe('ds1');
  }
}

describe('diagnose', () => {
  it('waits for enough epochs before judging', () => {
    const { epochs, batches } = run(2, (e) => ({ loss: 2 - e * 0.3, acc: 0.3 + e * 0.1, valLoss: 2 - e * 0.3, valAcc: 0.3 + e * 0.1 }));
    const d = diagnose({ epochs, batches, config });
    expect(d.kind).toBe('not-enough-data');
    expect(d.actions).toEqual([]);
    expect(evidenceText(d.evidence[0]!)).toContain('2 epoch');
  });

  it('calls a NaN loss diverged, naming where it happened, and proposes a lower LR', () => {
    const { epochs, batches } = run(3, (e) => ({ loss: 2 - e * 0.1, acc: 0.4, valLoss: 2, valAcc: 0.4 }));
    batches[27] = { ...batches[27]!, loss: Number.NaN };
    const d = diagnose({ epochs, batches, config });
    expect(d.kind).toBe('diverged');
    expect(evidenceText(d.evidence[0]!)).toBe('training loss became NaN/Infinity at epoch 2, batch 7');
    const lower = d.actions.find((a) => a.id === 'lower-lr');
    expect(lower?.patch.optimizer?.lr).toBeCloseTo(1e-4, 12);
    expect(d.actions.map((a) => a.id)).toContain('clip-gradients');
    expectValidPatches(d);
  });

  it('calls an exploding (finite) loss diverged, even early in the run', () => {
    const { epochs, batches } = run(2, (e) => {
      const loss = e < 0.8 ? 2.3 - e : 1.5 * Math.exp((e - 0.8) * 4);
      return { loss, acc: 0.2, valLoss: loss, valAcc: 0.2 };
    });
    const d = diagnose({ epochs, batches, config });
    expect(d.kind).toBe('diverged');
    const ev = d.evidence[0]!;
    expect(ev.code).toBe('exploding');
    if (ev.code === 'exploding') expect(ev.factor).toBeGreaterThanOrEqual(3);
  });

  it('calls a flat loss a learning rate that is too low', () => {
    const { epochs, batches } = run(5, () => ({ loss: 2.302, acc: 0.1, valLoss: 2.303, valAcc: 0.1 }));
    const d = diagnose({ epochs, batches, config: { ...config, optimizer: { ...config.optimizer, name: 'sgd', lr: 1e-5 } } });
    expect(d.kind).toBe('lr-too-low');
    expect(diagnosisText(d)).toMatch(/smoothed training loss 2\.[23]\d* → 2\.[23]\d* \([+−]\d\.\d %\) over 5 epochs/);
    const higher = d.actions.find((a) => a.id === 'much-higher-lr');
    expect(higher?.patch.optimizer?.lr).toBeCloseTo(1e-4, 12);
    expect(d.actions.find((a) => a.id === 'switch-to-adam')?.patch.optimizer?.name).toBe('adam');
  });

  it('calls a widening train/val gap with rising validation loss overfitting (the document 95 % vs 70 % example)', () => {
    const { epochs, batches } = run(12, (e) => ({
      loss: 2.0 * Math.exp(-e / 2.5) + 0.03,
      acc: Math.min(0.95, 0.4 + e * 0.06),
      valLoss: 0.6 + 0.02 * (e - 5) ** 2,
      valAcc: Math.min(0.7, 0.4 + e * 0.05),
    }));
    const d = diagnose({ epochs, batches, config });
    expect(d.kind).toBe('overfitting');
    const text = d.evidence.map((e) => evidenceText(e)).join('\n');
    expect(text).toContain('train acc 95 %, val acc 70 %');
    expect(text).toMatch(/gap widening since epoch \d+/);
    expect(text).toContain('validation loss was lowest at epoch 5');
    expect(d.sinceEpoch).toBe(5);
    const ids = d.actions.map((a) => a.id);
    expect(ids).toEqual(expect.arrayContaining(['more-augmentation', 'stop-earlier', 'more-weight-decay']));
    expect(d.actions.find((a) => a.id === 'more-augmentation')?.patch.augmentation?.preset).toBe('light');
    // The default CNN already has p=0.5 before its head, so the next step is light dropout after the blocks.
    const drop = d.actions.find((a) => a.id === 'more-dropout')!;
    const m = drop.patch.model;
    expect(m?.kind === 'cnn' && m.blocks.map((b) => b.dropout)).toEqual([0.2, 0.2]);
    expect(actionText(drop)).toBe('Add dropout after the convolution blocks (drop probability 0.2)');
    expect(diagnosisText(d, 'zh-CN')).toContain('过拟合');
    expectValidPatches(d);
  });

  it('calls slowly falling curves with low training accuracy underfitting and proposes a bigger model', () => {
    const { epochs, batches } = run(8, (e) => ({
      loss: 2.3 - 0.08 * e,
      acc: 0.2 + 0.03 * e,
      valLoss: 2.32 - 0.08 * e,
      valAcc: 0.19 + 0.03 * e,
    }));
    const d = diagnose({ epochs, batches, config });
    expect(d.kind).toBe('underfitting');
    expect(evidenceText(d.evidence[0]!)).toBe('train acc only 44 %, val acc 43 %');
    const bigger = d.actions.find((a) => a.id === 'bigger-model');
    const model = bigger?.patch.model;
    expect(model?.kind).toBe('cnn');
    if (model?.kind === 'cnn') expect(model.blocks.map((b) => b.filters)).toEqual([32, 64]);
    expect(d.actions.find((a) => a.id === 'higher-lr')?.patch.optimizer?.lr).toBeCloseTo(3e-3, 12);
    expectValidPatches(d);
  });

  it('calls curves that fall together to high accuracy a good fit', () => {
    const { epochs, batches } = run(10, (e) => ({
      loss: 1.5 * Math.exp(-e / 3) + 0.1,
      acc: 0.6 + 0.035 * e,
      valLoss: 1.5 * Math.exp(-e / 3) + 0.15,
      valAcc: 0.58 + 0.034 * e,
    }));
    const d = diagnose({ epochs, batches, config });
    expect(d.kind).toBe('good-fit');
    expect(d.evidence.map((e) => e.code)).toContain('val-still-improving');
    expect(d.actions.map((a) => a.id)).toEqual(['train-longer', 'lr-decay']);
    expectValidPatches(d);
  });

  it('does not call a constant gap from dropout (val above train) overfitting', () => {
    const { epochs, batches } = run(8, (e) => ({
      loss: 1.2 * Math.exp(-e / 2) + 0.2,
      acc: 0.7 + 0.03 * e,
      valLoss: 1.0 * Math.exp(-e / 2) + 0.15,
      valAcc: 0.75 + 0.03 * e,
    }));
    expect(diagnose({ epochs, batches, config }).kind).toBe('good-fit');
  });

  it('does not say "generalises worse and worse" while the validation loss is still best at the last epochs', () => {
    // The gap widens (train memorises faster), but val loss keeps falling and is lowest at epoch 9 of 10.
    const valLoss = [1.2, 0.95, 0.8, 0.7, 0.64, 0.6, 0.58, 0.565, 0.55, 0.555];
    const { epochs, batches } = run(10, (e) => ({
      loss: 1.5 * Math.exp(-e / 2) + 0.02,
      acc: Math.min(0.99, 0.5 + e * 0.06),
      valLoss: valLoss[Math.min(9, Math.max(0, Math.ceil(e) - 1))]!,
      valAcc: Math.min(0.8, 0.5 + e * 0.03),
    }));
    const d = diagnose({ epochs, batches, config });
    expect(d.kind).not.toBe('overfitting');
    expect(diagnosisText(d)).not.toContain('worse and worse');
  });

  it('works from epoch logs alone when batches are missing', () => {
    const { epochs } = run(12, (e) => ({
      loss: 2.0 * Math.exp(-e / 2.5) + 0.03,
      acc: Math.min(0.97, 0.4 + e * 0.06),
      valLoss: 0.6 + 0.02 * (e - 5) ** 2,
      valAcc: 0.7,
    }));
    expect(diagnose({ epochs }).kind).toBe('overfitting');
  });
});
