import { describe, expect, it } from 'vitest';
import type { OptimizerName } from '../../../shared/config';
import { hyperFor, presetById, PRESETS, type PresetId } from './presets';
import { SURFACES } from './surfaces';
import { runTrajectory, settleStep, signChanges, stepsToReach, type TrajectoryPoint } from './trajectory';

function runPreset(id: PresetId, name: OptimizerName): TrajectoryPoint[] {
  const p = presetById(id);
  const tr = runTrajectory(name, SURFACES[p.surface], p.start, hyperFor(name, p.lr, p.shared), p.steps);
  expect(tr.divergedAt, `${id}/${name} diverged`).toBeUndefined();
  return tr.points;
}
const last = (pts: TrajectoryPoint[]): TrajectoryPoint => pts[pts.length - 1];
const dist = (p: TrajectoryPoint, q: readonly [number, number]): number => Math.hypot(p.x - q[0], p.y - q[1]);

describe('presets show what they claim', () => {
  it('every preset runs all optimizers without diverging', () => {
    for (const p of PRESETS) for (const n of p.enabled) runPreset(p.id, n);
  });

  it('sgd-zigzag: SGD flips across the narrow valley on every step; Momentum damps it', () => {
    const sgd = runPreset('sgd-zigzag', 'sgd');
    const mom = runPreset('sgd-zigzag', 'momentum');
    expect(signChanges(sgd, 1)).toBe(sgd.length - 2);
    expect(signChanges(mom, 1)).toBeLessThan(signChanges(sgd, 1) / 3);
    // and SGD crawls along the valley floor: still far from the minimum at the end
    expect(Math.abs(last(sgd).x)).toBeGreaterThan(2);
  });

  it('momentum-bump: SGD stays in the upper basin, Momentum rolls over the bump into the lowest one', () => {
    const s = SURFACES.bumpy;
    const sgd = last(runPreset('momentum-bump', 'sgd'));
    const mom = last(runPreset('momentum-bump', 'momentum'));
    expect(Math.hypot(...s.grad(sgd.x, sgd.y))).toBeLessThan(1e-6); // SGD is at rest in a local minimum
    expect(sgd.loss).toBeGreaterThan(0.5);
    expect(mom.loss).toBeLessThan(0.01);
    expect(dist(mom, s.minimum!)).toBeLessThan(0.1);
  });

  it('adagrad-stalls: Adagrad’s effective step only shrinks and it stalls before the cliff; RMSProp recovers and gets there', () => {
    const ada = runPreset('adagrad-stalls', 'adagrad');
    for (let i = 2; i < ada.length; i++) {
      expect(ada[i].effLr[0]).toBeLessThanOrEqual(ada[i - 1].effLr[0]);
      expect(ada[i].effLr[1]).toBeLessThanOrEqual(ada[i - 1].effLr[1]);
    }
    expect(ada[ada.length - 1].effLr[0]).toBeLessThan(ada[1].effLr[0] / 10);
    expect(last(ada).x).toBeLessThan(0); // never reaches the cliff at x ≈ 2
    const rms = runPreset('adagrad-stalls', 'rmsprop');
    const effX = rms.slice(1).map((p) => p.effLr[0]);
    expect(Math.max(...effX.slice(effX.indexOf(Math.min(...effX))))).toBeGreaterThan(5 * Math.min(...effX));
    expect(stepsToReach(rms, SURFACES.plateau.minimum!, 0.2)).toBeDefined();
    expect(last(runPreset('adagrad-stalls', 'sgd')).x).toBeLessThan(2); // SGD crawls on the shelf
  });

  it('rmsprop-keeps-going: on Rosenbrock RMSProp travels down the curved valley while Adagrad stalls near the start', () => {
    const p = presetById('rmsprop-keeps-going');
    const ada = last(runPreset('rmsprop-keeps-going', 'adagrad'));
    const rms = last(runPreset('rmsprop-keeps-going', 'rmsprop'));
    expect(dist(ada, p.start)).toBeLessThan(0.5);
    expect(rms.loss).toBeLessThan(ada.loss / 5);
    expect(dist(rms, SURFACES.rosenbrock.minimum!)).toBeLessThan(dist(ada, SURFACES.rosenbrock.minimum!) / 2);
  });

  it('adam-quick: Adam reaches and settles at the minimum within the preset’s steps; the others do not', () => {
    const p = presetById('adam-quick');
    const min = SURFACES[p.surface].minimum!;
    const adam = runPreset('adam-quick', 'adam');
    expect(stepsToReach(adam, min, 0.2)!).toBeLessThan(p.steps / 2);
    expect(settleStep(adam, min, 0.2)!).toBeLessThan(0.7 * p.steps);
    expect(last(adam).loss).toBeLessThan(1e-3);
    expect(stepsToReach(runPreset('adam-quick', 'sgd'), min, 0.2)).toBeUndefined();
    expect(stepsToReach(runPreset('adam-quick', 'adagrad'), min, 0.2)).toBeUndefined();
    expect(stepsToReach(runPreset('adam-quick', 'momentum'), min, 0.2)).toBeUndefined();
    // RMSProp gets near but keeps jittering across the steep direction: it has not settled
    expect(settleStep(runPreset('adam-quick', 'rmsprop'), min, 0.2) ?? Infinity).toBeGreaterThan(settleStep(adam, min, 0.2)!);
  });
});
