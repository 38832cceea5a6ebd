/** The dataset mean colour that random erasing fills with (fill = mean), per channel in [0, 1]. */
import type { ImageArray } from '../datasets/image-array';
import { openSplit, splitChannelMean } from '../datasets/split-on-disk';
import type { Workspace } from '../workspace';

export function channelMean(images: Pick<ImageArray, 'x' | 'channels'>): number[] {
  const c = images.channels;
  const sums = new Array<number>(c).fill(0);
  const n = images.x.length / c;
  if (n === 0) return new Array<number>(c).fill(0.5);
  for (let i = 0; i < images.x.length; i++) sums[i % c]! += images.x[i]!;
  return sums.map((s) => s / n / 255);
}

const cache = new Map<string, Promise<number[]>>();

/**
 * Mean of the training split, measured on the small decoded cache (32 px is plenty for a mean), read a chunk at a
 * time (a running sum), so memory stays flat whatever the split's size.
 */
export function datasetMean(ws: Workspace, datasetId: string, channels: 1 | 3): Promise<number[]> {
  const key = `${ws.root}:${datasetId}:${channels}`;
  let job = cache.get(key);
  if (!job) {
    job = openSplit(ws, datasetId, { size: 32, channels, fit: 'squash' }, 'train').then((split) => splitChannelMean(split));
    job.catch(() => cache.delete(key));
    cache.set(key, job);
  }
  return job;
}
