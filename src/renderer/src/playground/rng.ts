/** Seeded random numbers, so a regenerated demo is reproducible and tests are deterministic. */

import { mulberry32, type Rng } from '../../../shared/random';

export { mulberry32, type Rng };

/** Standard normal by Box–Muller. */
export function gaussian(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
