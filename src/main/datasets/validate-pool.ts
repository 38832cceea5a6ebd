/**
 * Validation on worker threads: the main thread scans and writes, the workers read, hash and decode, so an import
 * uses every core (sharp's own threads only help with large images). Starting workers can fail where the worker
 * file is not shipped (a bundled build): callers then validate in-process, which gives the same results.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { InputConfig } from '../../shared/config';
import { builtMainFile, labRoot, runningFromSource, sourceEntryBootstrap } from '../install-paths';
import type { CheckedFile } from './validate';
import type { ValidateBatch, ValidateBatchResult } from './validate-worker';

const START_TIMEOUT_MS = 15_000;

/**
 * The worker: out/main/validate-worker.js in the built lab; from TypeScript sources, the bootstrap that registers
 * tsx (tsx's --import hook does not cover a worker's entry module) with the .ts entry as its argument.
 */
function newWorker(): Worker {
  if (!runningFromSource) return new Worker(builtMainFile('validate-worker.js'));
  return new Worker(sourceEntryBootstrap(), { argv: [path.join(labRoot(), 'src', 'main', 'datasets', 'validate-worker.ts')] });
}

function startOne(): Promise<Worker | null> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = newWorker();
    } catch {
      resolve(null);
      return;
    }
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(null);
    }, START_TIMEOUT_MS);
    worker.once('message', () => {
      clearTimeout(timer);
      resolve(worker);
    });
    worker.once('error', () => {
      clearTimeout(timer);
      resolve(null);
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}

/** Running from compiled JavaScript: workers start in milliseconds (from TypeScript sources each compiles itself first). */
export const workersAreCheap = !runningFromSource;

export class ValidatorPool {
  private next = 0;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve(r: CheckedFile[]): void; reject(e: Error): void }>();

  private constructor(private readonly workers: Worker[]) {
    for (const w of workers) {
      w.on('message', (msg: ValidateBatchResult) => {
        const job = this.waiting.get(msg.id);
        if (!job) return;
        this.waiting.delete(msg.id);
        job.resolve(msg.results);
      });
      w.on('error', (err) => this.failAll(err));
      w.on('exit', (code) => code !== 0 && this.failAll(new Error(`validation worker exited with code ${code}`)));
    }
  }

  /** null when workers cannot run here (or would not help: one core). */
  static async start(count = Math.min(8, os.availableParallelism())): Promise<ValidatorPool | null> {
    if (count < 2) return null;
    const started = await Promise.all(Array.from({ length: count }, () => startOne()));
    const ok = started.filter((w): w is Worker => w !== null);
    if (ok.length < started.length) {
      await Promise.all(ok.map((w) => w.terminate()));
      return null;
    }
    return new ValidatorPool(ok);
  }

  get size(): number {
    return this.workers.length;
  }

  check(files: { path: string; size: number }[], input?: InputConfig): Promise<CheckedFile[]> {
    const id = this.seq++;
    const worker = this.workers[this.next++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const batch: ValidateBatch = { id, files, ...(input ? { input } : {}) };
      worker.postMessage(batch);
    });
  }

  private failAll(err: Error): void {
    for (const job of this.waiting.values()) job.reject(err);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
