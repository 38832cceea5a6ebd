import { afterAll, describe, expect, it } from 'vitest';
import type { SplitName } from '../../shared/dto';
import { querySamples } from './browse';
import { writeManifest, type Manifest, type ManifestItem } from './manifest';
import { tempWorkspace } from './test-fixtures';

/** A 100k-image manifest written directly (no image files): paging, filters and sorting at the scale the grid needs. */
describe('querySamples over 100,000 images', () => {
  const work = tempWorkspace();
  afterAll(work.cleanup);
  const N = 100_000;
  const classes = ['cat', 'dog', 'owl', 'yak'];
  const splits: SplitName[] = ['train', 'train', 'train', 'val', 'test'];
  const items: ManifestItem[] = Array.from({ length: N }, (_, i) => {
    const className = classes[i % 4]!;
    return {
      path: `/data/${className}/img_${String((i * 7919) % N).padStart(6, '0')}.jpg`,
      root: 0,
      className,
      labelledAs: className,
      excludedByUser: false,
      split: splits[i % 5]!,
      fixedSplit: null,
      size: 1000 + ((i * 104729) % 50_000),
      mtimeMs: 0,
      hash: `h${i}`,
      format: 'jpeg',
      width: 32 + (i % 300),
      height: 32,
      channels: 3,
      status: i % 1000 === 0 ? 'bad' : 'ok',
      check: i % 1000 === 0 ? { reason: 'corrupt', message: 'damaged' } : null,
      wrongExtension: null,
      relation: null,
    };
  });
  const manifest: Manifest = {
    version: 1,
    summary: { id: 'big-1', name: 'big', paths: ['/data'], layout: 'class-folders', classes: [], images: N, problems: [], warnings: [], createdAt: '', updatedAt: '' },
    roots: [{ path: '/data', layout: 'class-folders' }],
    split: { val: 0.2, test: 0.2, seed: 1 },
    fingerprint: 'x',
    scanIssues: [],
    scanWarnings: [],
    items,
  };

  it('filters by class, split, status and file name, and pages', async () => {
    await writeManifest(work.ws, manifest);
    const q = { datasetId: 'big-1', offset: 0, limit: 200 };
    expect((await querySamples(work.ws, q)).total).toBe(N);
    const owlsVal = await querySamples(work.ws, { ...q, className: 'owl', split: 'val' });
    expect(owlsVal.total).toBe(items.filter((it) => it.className === 'owl' && it.split === 'val').length);
    expect(owlsVal.items.every((s) => s.className === 'owl' && s.split === 'val')).toBe(true);
    const bad = await querySamples(work.ws, { ...q, status: 'bad' });
    expect(bad.total).toBe(100);
    expect(bad.items[0]!.problem).toEqual({ reason: 'corrupt', message: 'damaged' });
    const found = await querySamples(work.ws, { ...q, search: 'IMG_00001' });
    expect(found.items.map((s) => s.name).every((n) => n.startsWith('img_00001'))).toBe(true);
    expect(found.total).toBe(10);
    const last = await querySamples(work.ws, { ...q, offset: N - 3, limit: 10 });
    expect(last.items.map((s) => s.index)).toEqual([N - 3, N - 2, N - 1]);
  });

  it('sorts by name, size or class, either way', async () => {
    const q = { datasetId: 'big-1', offset: 0, limit: 5 };
    const byName = await querySamples(work.ws, { ...q, sort: 'name' });
    expect(byName.items.map((s) => s.name)).toEqual([...items.map((it) => it.path.split('/').pop()!)].sort().slice(0, 5));
    const bySizeDesc = await querySamples(work.ws, { ...q, sort: 'size', desc: true, limit: 1000 });
    const sizes = bySizeDesc.items.map((s) => items[s.index]!.size);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(sizes[0]).toBe(Math.max(...items.map((it) => it.size)));
    const byClass = await querySamples(work.ws, { ...q, sort: 'class', className: 'dog', offset: 10 });
    expect(byClass.items.every((s) => s.className === 'dog')).toBe(true);
    expect(byClass.total).toBe(N / 4);
  });
});
