import { chmodSync, mkdirSync, symlinkSync, utimesSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, FileProblem } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { importDataset, querySamples, MAX_PIXELS } from './index';
import { bombPng, distinct, image, isRoot, put, tempDir, tempWorkspace, treeFingerprint } from './test-fixtures';

/**
 * A messy folder with one of every bad-file kind, next to good images: every problem must be reported with its
 * reason, every good image must arrive, and the folder must be byte-identical afterwards.
 */
describe('import of a corpus with every kind of bad file', () => {
  const data = tempDir('corpus');
  const work = tempWorkspace();
  const root = path.join(data.dir, 'animals');
  const good: string[] = [];
  let before: Map<string, string>;
  let summary: DatasetSummary;

  const problem = (file: string, reason: FileProblem['reason']): FileProblem | undefined =>
    summary.problems.find((p) => p.path === path.join(root, file) && p.reason === reason);

  beforeAll(async () => {
    for (let i = 0; i < 12; i++) {
      const f = path.join(root, 'cats', `c${i}.png`);
      await put(f, await distinct(0, i));
      good.push(f);
      const g = path.join(root, 'dogs', `d${i}.jpg`);
      await put(g, await distinct(1, i, 'jpeg'));
      good.push(g);
    }
    // deeper folders flatten into their class; other formats are read by content
    for (const [rel, buf] of [
      ['cats/indoor/sofa/c-deep.png', await distinct(0, 50)],
      ['cats/c-anim.gif', await distinct(0, 51, 'gif')],
      ['dogs/d-web.webp', await distinct(1, 52, 'webp')],
      ['dogs/d-scan.tiff', await image(16, 16, (x, y) => [x * 9, y * 9, 77], 'tiff')],
    ] as const) {
      await put(path.join(root, rel), buf);
      good.push(path.join(root, rel));
    }
    // wrong extension: a PNG named .jpg is reported but still used
    await put(path.join(root, 'dogs/really-a-png.jpg'), await distinct(1, 60));
    mkdirSync(path.join(root, 'birds')); // a class folder someone has not filled yet
    good.push(path.join(root, 'dogs/really-a-png.jpg'));

    await put(path.join(root, 'cats/empty.png'), Buffer.alloc(0));
    const whole = await distinct(0, 70);
    await put(path.join(root, 'cats/truncated.png'), whole.subarray(0, Math.floor(whole.length / 2)));
    const jpeg = await image(64, 64, (x, y) => [(x * y) % 256, x * 4, y * 4], 'jpeg');
    await put(path.join(root, 'dogs/truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    await put(path.join(root, 'dogs/notes.jpg'), 'these are my notes, not a photo\n');
    await put(path.join(root, 'dogs/bomb.png'), bombPng(100_000, 100_000));
    await put(path.join(root, 'cats/old.bmp'), Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]));
    symlinkSync('.', path.join(root, 'cats', 'loop'));
    symlinkSync('self.png', path.join(root, 'cats', 'self.png'));
    symlinkSync('does-not-exist.png', path.join(root, 'dogs', 'dangling.png'));
    // exact copies: within a class, and across classes (label conflict)
    await put(path.join(root, 'cats/c0 copy.png'), await distinct(0, 0));
    await put(path.join(root, 'dogs/c1-again.png'), await distinct(0, 1));
    good.splice(good.indexOf(path.join(root, 'cats', 'c1.png')), 1); // both copies leave training

    before = treeFingerprint(data.dir);
    summary = await importDataset(work.ws, { paths: [root] });
  });

  afterAll(() => {
    work.cleanup();
    data.cleanup();
  });

  it('reports each bad file with the right reason and leaves it out', () => {
    const cases: [string, FileProblem['reason']][] = [
      ['cats/empty.png', 'empty'],
      ['cats/truncated.png', 'corrupt'],
      ['dogs/truncated.jpg', 'corrupt'],
      ['dogs/notes.jpg', 'not-an-image'],
      ['dogs/bomb.png', 'too-large'],
      ['cats/old.bmp', 'unsupported-format'],
      ['cats/loop', 'symlink-loop'],
      ['cats/self.png', 'symlink-loop'],
      ['dogs/dangling.png', 'unreadable'],
      ['cats/c0 copy.png', 'duplicate'],
      ['cats/c1.png', 'label-conflict'],
      ['dogs/c1-again.png', 'label-conflict'],
    ];
    for (const [file, reason] of cases) {
      const p = problem(file, reason);
      expect(p, `${file} should be reported as ${reason}; got ${JSON.stringify(summary.problems.filter((q) => q.path.endsWith(file)))}`).toBeDefined();
      expect(p!.excluded).toBe(true);
      expect(p!.message.length).toBeGreaterThan(20);
    }
    expect(problem('dogs/bomb.png', 'too-large')!.message).toContain(`${MAX_PIXELS / 1e6} megapixels`);
    expect(problem('cats/old.bmp', 'unsupported-format')!.message).toContain('BMP');
    expect(problem('cats/c0 copy.png', 'duplicate')!.message).toContain(path.join(root, 'cats', 'c0.png'));
    expect(problem('cats/c1.png', 'label-conflict')!.message).toContain('dogs');
  });

  it('says that images in subfolders were merged into their class, and that an empty class folder is not a class', () => {
    expect(summary.warnings.join('\n')).toContain('1 image in subfolders of "cats" (e.g. cats/indoor/sofa/) was merged into the class "cats"');
    expect(summary.warnings.join('\n')).toContain(`The folder "birds" (${path.join(root, 'birds')}) holds no images`);
    expect(summary.classes.map((c) => c.name)).not.toContain('birds');
  });

  it('reports a wrong extension without dropping the image', () => {
    const p = problem('dogs/really-a-png.jpg', 'wrong-extension');
    expect(p?.excluded).toBe(false);
    expect(p?.message).toContain('PNG');
  });

  it('lets every good image arrive, with its class', async () => {
    const page = await querySamples(work.ws, { datasetId: summary.id, status: 'ok', offset: 0, limit: 5000 });
    expect(page.items.map((s) => s.path).sort()).toEqual([...good].sort());
    expect(summary.images).toBe(good.length);
    const deep = page.items.find((s) => s.path.endsWith('c-deep.png'));
    expect(deep?.className).toBe('cats');
    expect(summary.classes.map((c) => c.name)).toEqual(['cats', 'dogs']);
  });

  it('summarises formats, sizes and problems, with advice for the data size', () => {
    const st = summary.stats!;
    expect(st.formats).toEqual({ png: 13, jpeg: 12, gif: 1, webp: 1, tiff: 1 });
    expect(st.problemsByReason).toEqual({
      empty: 1, corrupt: 2, 'not-an-image': 1, 'too-large': 1, 'unsupported-format': 1, 'symlink-loop': 2, unreadable: 1, duplicate: 1, 'label-conflict': 2, 'wrong-extension': 1,
    });
    expect(st.widths).toEqual([{ from: 16, to: 24, count: 28 }]);
    expect(st.suggestedInputSize).toBe(16);
    expect(st.suggestedChannels).toBe(3);
    expect(st.advice.some((a) => a.includes('28 images') && /small CNN|transfer learning/.test(a))).toBe(true);
  });

  it('gives the same verdicts when validating on worker threads', async () => {
    const other = tempWorkspace();
    try {
      const viaWorkers = await importDataset(other.ws, { paths: [root] }, { workers: 2, input: { size: 8, channels: 3, fit: 'squash' } });
      const key = (p: FileProblem): string => `${p.path} ${p.reason} ${p.excluded}`;
      expect(viaWorkers.problems.map(key).sort()).toEqual(summary.problems.map(key).sort());
      expect(viaWorkers.classes).toEqual(summary.classes);
      const { loadSplit, decodeForModel } = await import('./index');
      const train = await loadSplit(other.ws, viaWorkers.id, { size: 8, channels: 3, fit: 'squash' }, 'train');
      const page = await querySamples(other.ws, { datasetId: viaWorkers.id, offset: train.index[0]!, limit: 1 });
      expect(Buffer.from(train.x.subarray(0, 192))).toEqual(Buffer.from(await decodeForModel(page.items[0]!.path, { size: 8, channels: 3, fit: 'squash' })));
    } finally {
      other.cleanup();
    }
  });

  it('lists bad and duplicate files for the browser', async () => {
    const bad = await querySamples(work.ws, { datasetId: summary.id, status: 'bad', offset: 0, limit: 100 });
    expect(bad.items.map((s) => s.name).sort()).toEqual(['bomb.png', 'empty.png', 'notes.jpg', 'old.bmp', 'truncated.jpg', 'truncated.png']);
    const dup = await querySamples(work.ws, { datasetId: summary.id, status: 'duplicate', offset: 0, limit: 100 });
    expect(dup.total).toBe(3);
    const copy = dup.items.find((s) => s.name === 'c0 copy.png')!;
    expect(copy.problem?.reason).toBe('duplicate');
    const original = await querySamples(work.ws, { datasetId: summary.id, offset: copy.duplicateOf!, limit: 1 });
    expect(original.items[0]!.path).toBe(path.join(root, 'cats', 'c0.png'));
    const found = await querySamples(work.ws, { datasetId: summary.id, search: 'TRUNC', offset: 0, limit: 100 });
    expect(found.total).toBe(2);
    const catsTrain = await querySamples(work.ws, { datasetId: summary.id, className: 'cats', split: 'train', status: 'ok', offset: 0, limit: 100 });
    expect(catsTrain.items.every((s) => s.className === 'cats' && s.split === 'train')).toBe(true);
    const paged = await querySamples(work.ws, { datasetId: summary.id, offset: 5, limit: 3 });
    expect(paged.items.map((s) => s.index)).toEqual([5, 6, 7]);
  });

  it('leaves the user folder byte-identical', () => {
    expect(treeFingerprint(data.dir)).toEqual(before);
  });

  it('re-reads only files whose size or mtime changed', async () => {
    const untouched = path.join(root, 'cats', 'c3.png');
    const changed = path.join(root, 'cats', 'c4.png');
    // Same size and mtime but garbage inside: a re-import that skips unchanged files still finds it fine.
    const st = statSync(untouched);
    writeFileSync(untouched, Buffer.alloc(st.size, 7));
    utimesSync(untouched, st.atime, st.mtime);
    writeFileSync(changed, 'now a text file');
    const again = await importDataset(work.ws, { paths: [root] });
    expect(again.id).toBe(summary.id);
    expect(again.problems.filter((p) => p.path === untouched)).toEqual([]);
    expect(again.problems.find((p) => p.path === changed)?.reason).toBe('not-an-image');
    expect(again.images).toBe(summary.images - 1);
    expect(again.createdAt).toBe(summary.createdAt);
  });
});

describe('unreadable files', () => {
  it.skipIf(isRoot)('reports a chmod 000 file as unreadable (skipped when the tests run as root, since root reads it anyway)', async () => {
    const data = tempDir('perm');
    const work = tempWorkspace();
    try {
      for (let i = 0; i < 3; i++) {
        await put(path.join(data.dir, 'a', `${i}.png`), await distinct(0, i));
        await put(path.join(data.dir, 'b', `${i}.png`), await distinct(1, i));
      }
      const locked = path.join(data.dir, 'a', 'locked.png');
      await put(locked, await distinct(0, 9));
      chmodSync(locked, 0o000);
      const s = await importDataset(work.ws, { paths: [data.dir] });
      const p = s.problems.find((q) => q.path === locked);
      expect(p?.reason).toBe('unreadable');
      expect(p?.message).toMatch(/permission/i);
      expect(s.images).toBe(6);
    } finally {
      work.cleanup();
      data.cleanup();
    }
  });
});

describe('refused imports', () => {
  it('says which path holds no images and what to do', async () => {
    const data = tempDir('empty');
    const work = tempWorkspace();
    try {
      await put(path.join(data.dir, 'a', 'readme.txt'), 'nothing here');
      const err = await importDataset(work.ws, { paths: [data.dir] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      expect((err as LabError).code).toBe('NO_IMAGES');
      expect((err as LabError).message).toContain(data.dir);
      expect((err as LabError).message).toMatch(/subfolder per class/);
    } finally {
      work.cleanup();
      data.cleanup();
    }
  });

  it('refuses a single class, naming it', async () => {
    const data = tempDir('one');
    const work = tempWorkspace();
    try {
      for (let i = 0; i < 3; i++) await put(path.join(data.dir, 'only', `${i}.png`), await distinct(0, i));
      const err = (await importDataset(work.ws, { paths: [data.dir] }).catch((e: unknown) => e)) as LabError;
      expect(err.code).toBe('TOO_FEW_CLASSES');
      expect(err.message).toContain('"only"');
      expect(err.message).toContain(data.dir);
    } finally {
      work.cleanup();
      data.cleanup();
    }
  });

  it('says when a path does not exist', async () => {
    const work = tempWorkspace();
    try {
      const err = (await importDataset(work.ws, { paths: ['/no/such/folder'] }).catch((e: unknown) => e)) as LabError;
      expect(err.code).toBe('NOT_FOUND');
      expect(err.message).toContain('/no/such/folder');
    } finally {
      work.cleanup();
    }
  });

  it('warns about classes too small to split', async () => {
    const data = tempDir('small');
    const work = tempWorkspace();
    try {
      for (let i = 0; i < 12; i++) await put(path.join(data.dir, 'big', `${i}.png`), await distinct(0, i));
      for (let i = 0; i < 4; i++) await put(path.join(data.dir, 'few', `${i}.png`), await distinct(1, i));
      await put(path.join(data.dir, 'single', '0.png'), await distinct(2, 0));
      const s = await importDataset(work.ws, { paths: [data.dir] });
      expect(s.warnings.some((w) => w.includes('"single"') && /cannot be split/.test(w))).toBe(true);
      expect(s.warnings.some((w) => w.includes('"few"') && w.includes('only 4'))).toBe(true);
      expect(s.warnings.some((w) => w.includes('"big" has only'))).toBe(false);
      expect(s.warnings.some((w) => /imbalanced/.test(w) && w.includes('"big"') && w.includes('"single"'))).toBe(true);
    } finally {
      work.cleanup();
      data.cleanup();
    }
  });
});

describe('cancelling', () => {
  it('stops with CANCELLED and writes no dataset', async () => {
    const data = tempDir('cancel');
    const work = tempWorkspace();
    try {
      for (let i = 0; i < 30; i++) {
        await put(path.join(data.dir, 'a', `${i}.png`), await distinct(0, i));
        await put(path.join(data.dir, 'b', `${i}.png`), await distinct(1, i));
      }
      const ctrl = new AbortController();
      const err = (await importDataset(work.ws, { paths: [data.dir] }, {
        signal: ctrl.signal,
        onProgress: (p) => {
          if (p.phase === 'validate' && p.done >= 1) ctrl.abort();
        },
        concurrency: 2,
      }).catch((e: unknown) => e)) as LabError;
      expect(err.code).toBe('CANCELLED');
      const { listDatasets } = await import('./index');
      expect(await listDatasets(work.ws)).toEqual([]);
    } finally {
      work.cleanup();
      data.cleanup();
    }
  });
});
