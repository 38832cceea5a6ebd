/** `npm run bench`: a cold import (scan + validate + decoded cache) of a folder, with speed and peak memory. */
import type { InputConfig } from '../../shared/config';
import type { Workspace } from '../workspace';
import { importDataset } from './import';
import { datasetIdFor, removeDatasetDir } from './manifest';

export interface ImportBench {
  images: number;
  seconds: number;
  imagesPerS: number;
  /** peak resident memory of the process during the import */
  rssMiB: number;
  /** CPU time (user + system, all threads) of the import: fairer than wall time on a busy machine */
  cpuS: number;
}

export async function benchImport(dir: string, ws: Workspace, input: InputConfig = { size: 28, channels: 1, fit: 'squash' }, opts: { workers?: number } = {}): Promise<ImportBench> {
  await removeDatasetDir(ws, datasetIdFor([dir])); // cold: nothing reused from an earlier run
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    const summary = await importDataset(ws, { paths: [dir] }, { input, ...(opts.workers !== undefined ? { workers: opts.workers } : {}) });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { images: summary.images, seconds: Math.round(seconds * 100) / 100, imagesPerS: Math.round(summary.images / seconds), rssMiB: Math.round(peak / 2 ** 20), cpuS: Math.round((cpu.user + cpu.system) / 1e4) / 100 };
  } finally {
    clearInterval(timer);
  }
}
