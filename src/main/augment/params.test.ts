import { describe, expect, it } from 'vitest';
import { AUGMENT_PRESETS, resolveAugment } from '../../shared/augment-config';
import { drawMixup, drawParams } from './params';
import { hashSeed, Rng } from './prng';

const strong = AUGMENT_PRESETS.strong;

describe('seeded parameters', () => {
  it('are the same for the same (seed, epoch, image) and differ otherwise', () => {
    const a = drawParams(strong, 42, 3, 17);
    expect(drawParams(strong, 42, 3, 17)).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a); // plain JSON
    expect(drawParams(strong, 42, 4, 17)).not.toEqual(a);
    expect(drawParams(strong, 43, 3, 17)).not.toEqual(a);
    expect(drawParams(strong, 42, 3, 18)).not.toEqual(a);
  });

  it('turning one transform off leaves the others as they were', () => {
    const off = resolveAugment({ preset: 'strong', rotate: { enabled: false }, color: { enabled: false } });
    for (let id = 0; id < 50; id++) {
      const a = drawParams(strong, 1, 0, id);
      const b = drawParams(off, 1, 0, id);
      expect(b.rotate).toBe(0);
      expect(b.brightness).toBe(1);
      expect({ ...b, rotate: a.rotate, brightness: a.brightness, contrast: a.contrast, saturation: a.saturation, hue: a.hue }).toEqual(a);
    }
  });

  it('stay inside the configured ranges and fire at the configured rate', () => {
    let flips = 0;
    let erased = 0;
    const n = 4000;
    for (let id = 0; id < n; id++) {
      const p = drawParams(strong, 7, 1, id);
      if (p.hflip) flips++;
      if (p.erase) {
        erased++;
        const area = p.erase.w * p.erase.h;
        expect(area).toBeGreaterThanOrEqual(0.02 - 1e-9);
        expect(area).toBeLessThanOrEqual(0.33 + 1e-9);
        expect(p.erase.cx - p.erase.w / 2).toBeGreaterThanOrEqual(-1e-9);
        expect(p.erase.cx + p.erase.w / 2).toBeLessThanOrEqual(1 + 1e-9);
      }
      expect(Math.abs(p.rotate)).toBeLessThanOrEqual(15);
      expect(p.scale).toBeGreaterThanOrEqual(1);
      expect(p.scale).toBeLessThanOrEqual(1.3);
      expect(Math.abs(p.hue)).toBeLessThanOrEqual(0.05);
      expect(p.vflip).toBe(false);
    }
    expect(flips / n).toBeGreaterThan(0.46);
    expect(flips / n).toBeLessThan(0.54);
    expect(erased / n).toBeGreaterThan(0.46); // p = 0.5
    expect(erased / n).toBeLessThan(0.54);
  });

  it('never erase at test time', () => {
    const always = resolveAugment({ preset: 'strong', erasing: { p: 1 } });
    for (let id = 0; id < 200; id++) {
      expect(drawParams(always, 1, 0, id).erase).not.toBeNull();
      expect(drawParams(always, 1, 0, id, { training: false }).erase).toBeNull();
    }
  });

  it('draw mixup λ from Beta(α, α) with a permutation of partners', () => {
    const ids = Int32Array.from({ length: 8 }, (_, i) => i);
    const m = drawMixup(strong, 1, 0, ids)!;
    expect(m).not.toBeNull();
    expect([...m.partner].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(drawMixup(AUGMENT_PRESETS.standard, 1, 0, ids)).toBeNull();
    // Beta(α, α) has mean 1/2 and variance 1/(4(2α+1)); α = 0.2 → 0.178
    const rng = new Rng(hashSeed(5));
    const xs = Array.from({ length: 20000 }, () => rng.beta(0.2, 0.2));
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    const variance = xs.reduce((s, v) => s + (v - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 1);
    expect(variance).toBeGreaterThan(0.16);
    expect(variance).toBeLessThan(0.2);
    expect(xs.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('hash seeds spread over large and negative seeds', () => {
    const seen = new Set([hashSeed(0, 0, 0), hashSeed(2 ** 40, 0, 0), hashSeed(-1, 0, 0), hashSeed(0, 0, 1), hashSeed(0, 1, 0)]);
    expect(seen.size).toBe(5);
  });
});
