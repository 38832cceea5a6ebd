/**
 * Unequal classes, two remedies (config `balance`):
 * - 'class-weights': each image's loss is weighted by n / (K · n_c), so every class weighs the same in the mean loss
 *   (scikit-learn's "balanced"; the mean is Σ w·loss / Σ w, as PyTorch's weighted cross-entropy);
 * - 'oversample': each epoch draws every class as often as the largest one (whole copies of a small class, then a
 *   seeded sample of the rest), shuffled; the largest class's images appear exactly once.
 */
import type { TrainConfig } from '../../shared/config';
import { mulberry32 } from '../../shared/random';
import { mixSeed, seededPermutation } from './seeded-random';

const OVERSAMPLE_SALT = 0x0b5a;

/** Images per class index. */
export function classCounts(y: ArrayLike<number>, n: number, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < n; i++) counts[y[i]!]!++;
  return counts;
}

/** n / (K · n_c) for each class present (mean weight over the images is 1); 0 for a class with no image. */
export function classWeights(counts: number[]): number[] {
  const present = counts.filter((c) => c > 0);
  const n = present.reduce((a, b) => a + b, 0);
  return counts.map((c) => (c > 0 ? n / (present.length * c) : 0));
}

/** One epoch's order with every present class drawn max(n_c) times; a different sample each epoch. */
export function oversampledOrder(y: ArrayLike<number>, n: number, numClasses: number, seed: number): Int32Array<ArrayBuffer> {
  const members: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < n; i++) members[y[i]!]!.push(i);
  const target = Math.max(...members.map((m) => m.length));
  const rng = mulberry32(seed);
  const rows: number[] = [];
  for (const list of members) {
    if (list.length === 0) continue;
    for (let k = 0; k + list.length <= target; k += list.length) rows.push(...list);
    const rest = target % list.length;
    if (rest > 0) {
      // A partial Fisher–Yates draw: `rest` distinct images of the class.
      const pool = [...list];
      for (let i = 0; i < rest; i++) {
        const j = i + Math.floor(rng() * (pool.length - i));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        rows.push(pool[i]!);
      }
    }
  }
  const perm = seededPermutation(rows.length, mixSeed(seed, 1));
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = rows[perm[i]!]!;
  return out;
}

/** Images trained on per epoch under the config's balance setting. */
export function epochLength(balance: TrainConfig['balance'], y: ArrayLike<number>, n: number, numClasses: number): number {
  if (balance !== 'oversample') return n;
  const counts = classCounts(y, n, numClasses);
  return Math.max(...counts) * counts.filter((c) => c > 0).length;
}

/** The order of epoch `epoch`: a seeded permutation, or the oversampled draw. */
export function epochOrder(balance: TrainConfig['balance'], y: ArrayLike<number>, n: number, numClasses: number, seed: number): Int32Array<ArrayBuffer> {
  return balance === 'oversample' ? oversampledOrder(y, n, numClasses, mixSeed(seed, OVERSAMPLE_SALT)) : (seededPermutation(n, seed) as Int32Array<ArrayBuffer>);
}

/** Per-class loss weights for the run, or null when the loss is unweighted. */
export function lossWeightsFor(balance: TrainConfig['balance'], y: ArrayLike<number>, n: number, numClasses: number): number[] | null {
  return balance === 'class-weights' ? classWeights(classCounts(y, n, numClasses)) : null;
}
