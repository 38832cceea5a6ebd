/**
 * Small, fast, seedable random numbers. Every augmentation draw comes from a generator seeded by a hash of
 * (seed, epoch, imageId, stream), so a preview, a training batch and a written copy see the same numbers,
 * and turning one transform off does not change the numbers the others draw (each has its own stream).
 */

/** Fold any finite number (also beyond 32 bits, or negative) into a uint32. */
function toU32(v: number): number {
  if (!Number.isFinite(v)) return 0;
  const i = Math.trunc(v);
  const lo = i >>> 0;
  const hi = Math.floor(i / 4294967296) >>> 0;
  return (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
}

/** murmur3's finaliser: a good 32-bit avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a tuple of numbers into one uint32 seed. */
export function hashSeed(...parts: number[]): number {
  let h = 0x6a09e667;
  for (const p of parts) h = fmix32((h ^ toU32(p)) + 0x9e3779b9);
  return fmix32(h ^ parts.length);
}

/** A generator of uniform numbers in [0, 1) (mulberry32) with the draws augmentation needs. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** True with probability p. Always consumes one draw, so later draws do not depend on p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  /** Gamma(shape, 1) by Marsaglia–Tsang; shape < 1 via the boost u^(1/shape). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(1 - this.next(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }
  /** Beta(a, b) from two gammas. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x + y > 0 ? x / (x + y) : 0.5;
  }
  /** Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

/** Stream tags: one independent generator per transform. */
export const STREAM = { hflip: 1, vflip: 2, scaleCrop: 3, rotate: 4, affine: 5, color: 6, erasing: 7, eraseNoise: 8, mixup: 9 } as const;

export function rngFor(seed: number, epoch: number, imageId: number, stream: number): Rng {
  return new Rng(hashSeed(seed, epoch, imageId, stream));
}
