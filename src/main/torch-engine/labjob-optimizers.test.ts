/**
 * labjob's optimizers are the lab's, not torch.optim's: on the same gradients, step after step (with a changing
 * learning rate, L2 and decoupled weight decay), every optimizer the lab offers leaves the same parameters as the lab's
 * RuleOptimizer (float32 tensor path) within 1e-6 relative. torch.optim's Adagrad and Adam, run on the same numbers,
 * land measurably elsewhere (ε outside the root), which is why labjob carries its own rules.
 */
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OptimizerConfigSchema, type OptimizerName } from '../../shared/config';
import { RuleOptimizer, type WeightDecay } from '../training/rule-optimizer';
import { hasTorch, LABJOB_SOURCE, torchPython } from './test-support/labjob-fixture';

await tf.setBackend('cpu');

const N = 40;
const LRS = [0.1, 0.05, 0.02, 0.1, 0.01, 0.03];

function values(seed: number, scale: number): number[] {
  let s = seed;
  return Array.from({ length: N }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    // a few tiny gradients, where ε decides the step of the adaptive methods
    return (s / 2 ** 32 - 0.5) * 2 * scale * (i % 7 === 0 ? 1e-4 : 1);
  });
}

interface Case {
  name: OptimizerName;
  hyper: Record<string, number>;
  decay: WeightDecay;
}

const CASES: Case[] = [
  { name: 'sgd', hyper: {}, decay: { kind: 'none', value: 0 } },
  { name: 'momentum', hyper: { momentum: 0.9 }, decay: { kind: 'decoupled', value: 0.01 } },
  { name: 'nesterov', hyper: { momentum: 0.8 }, decay: { kind: 'l2', value: 0.001 } },
  { name: 'adagrad', hyper: { epsilon: 1e-8 }, decay: { kind: 'none', value: 0 } },
  { name: 'adagrad', hyper: { epsilon: 0.1 }, decay: { kind: 'l2', value: 0.01 } },
  { name: 'rmsprop', hyper: { rho: 0.9, epsilon: 1e-6 }, decay: { kind: 'none', value: 0 } },
  { name: 'adam', hyper: { epsilon: 1e-8 }, decay: { kind: 'none', value: 0 } },
  { name: 'adam', hyper: { beta1: 0.8, beta2: 0.99, epsilon: 1e-3 }, decay: { kind: 'decoupled', value: 0.05 } },
];

/** The lab's parameters after each step. */
function labSteps(c: Case, theta0: number[], grads: number[][]): number[][] {
  const v = tf.variable(tf.tensor1d(theta0));
  const opt = new RuleOptimizer(OptimizerConfigSchema.parse({ name: c.name, lr: LRS[0], ...c.hyper }), [v], c.decay, [true]);
  const out: number[][] = [];
  grads.forEach((g, k) => {
    const gt = tf.tensor1d(g);
    const withDecay = opt.withL2([gt]);
    opt.apply(withDecay, LRS[k]!);
    withDecay.forEach((t) => t.dispose());
    gt.dispose();
    out.push(Array.from(v.dataSync()));
  });
  opt.dispose();
  v.dispose();
  return out;
}

const SCRIPT = `
import json, sys, torch
from labjob.optim import RuleOptimizer
req = json.load(sys.stdin)
res = []
for c in req["cases"]:
    p = torch.nn.Parameter(torch.tensor(req["theta"], dtype=torch.float32))
    cfg = dict(name=c["name"], **c["hyper"])
    opt = RuleOptimizer(cfg, [p], c["decay"], [True])
    steps = []
    for g, lr in zip(req["grads"], req["lrs"]):
        opt.apply(opt.with_l2([torch.tensor(g, dtype=torch.float32)]), lr)
        steps.append(p.detach().tolist())
    ref = None
    if c["name"] in ("adagrad", "adam") and c["decay"]["kind"] == "none":
        q = torch.nn.Parameter(torch.tensor(req["theta"], dtype=torch.float32))
        eps = c["hyper"].get("epsilon", 1e-8)
        o = torch.optim.Adagrad([q], lr=req["lrs"][0], eps=eps) if c["name"] == "adagrad" else torch.optim.Adam([q], lr=req["lrs"][0], eps=eps)
        for g, lr in zip(req["grads"], req["lrs"]):
            for group in o.param_groups: group["lr"] = lr
            q.grad = torch.tensor(g, dtype=torch.float32)
            o.step()
        ref = q.detach().tolist()
    res.append({"steps": steps, "torchOptim": ref})
print(json.dumps(res))
`;

function maxRelDiff(a: number[], b: number[]): number {
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!) / Math.max(1, Math.abs(b[i]!))));
}

describe.skipIf(!hasTorch())("labjob's optimizers step like the lab's RuleOptimizer", () => {
  it('every optimizer, 6 steps with a changing learning rate and weight decay, within 1e-6 relative', () => {
    const theta = values(1, 1);
    const grads = LRS.map((_, k) => values(100 + k, 0.5));
    const py = torchPython();
    if (!('python' in py)) throw new Error(py.reason);
    const r = spawnSync(py.python, ['-c', SCRIPT], {
      input: JSON.stringify({ theta, grads, lrs: LRS, cases: CASES }),
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: path.dirname(LABJOB_SOURCE), PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const torchSide = JSON.parse(r.stdout) as { steps: number[][]; torchOptim: number[] | null }[];
    CASES.forEach((c, i) => {
      const lab = labSteps(c, theta, grads);
      const label = `${c.name} ${JSON.stringify(c.hyper)} ${c.decay.kind}`;
      lab.forEach((step, k) => expect(maxRelDiff(torchSide[i]!.steps[k]!, step), `${label} step ${k + 1}`).toBeLessThanOrEqual(1e-6));
      // The parameters really moved (a no-op optimizer would fail above only by luck).
      expect(maxRelDiff(lab.at(-1)!, theta), label).toBeGreaterThan(1e-3);
      const ref = torchSide[i]!.torchOptim;
      // torch.optim puts ε outside the root (Adagrad, Adam): on the tiny gradients that moves the result visibly.
      if (ref) expect(maxRelDiff(ref, lab.at(-1)!), `${label} vs torch.optim`).toBeGreaterThan(1e-4);
    });
  });
});
