/** Progress of one import phase, with rate and ETA, reported at most every 100 ms (and once at the end). */
export type ImportPhase = 'scan' | 'validate' | 'cache';

export interface ImportProgress {
  phase: ImportPhase;
  done: number;
  total: number;
  ratePerS: number;
  etaS: number | null;
}

export type ProgressFn = (p: ImportProgress) => void;

export function makeProgress(phase: ImportPhase, total: number, cb?: ProgressFn, now: () => number = () => performance.now()): { tick(n?: number): void; finish(): void; done(): number } {
  const start = now();
  let done = 0;
  let last = -Infinity;
  const report = (): void => {
    if (!cb) return;
    const t = now();
    last = t;
    const s = (t - start) / 1000;
    const rate = s > 0 ? done / s : 0;
    cb({ phase, done, total: Math.max(total, done), ratePerS: Math.round(rate * 10) / 10, etaS: rate > 0 && total >= done ? Math.round((total - done) / rate) : null });
  };
  return {
    tick(n = 1) {
      done += n;
      if (cb && now() - last >= 100) report();
    },
    finish() {
      report();
    },
    done: () => done,
  };
}
