/**
 * Camera frames land only in the lab's own capture folder, as re-encoded JPEGs; anything that is not an image, a bad
 * class name, or a captures folder that leads elsewhere is refused with a message; only a frame the lab wrote is
 * deleted; a capture imports and trains like any dataset, and merging with a user's folder never touches that folder.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderNameProblem } from '../../shared/capture';
import { LabError } from '../../shared/errors';
import { formatMessage } from '../../shared/messages';
import { importDataset } from '../datasets/import';
import { distinct, image, put, tempDir, treeFingerprint } from '../datasets/test-fixtures';
import { openWorkspace, type Workspace } from '../workspace';
import { captureToDataset, deleteFrame, listCaptures, listFrames, saveFrame } from './index';

const tmp = tempDir('capture');
let ws: Workspace;
afterAll(() => tmp.cleanup());
beforeAll(() => {
  ws = openWorkspace(path.join(tmp.dir, 'home'));
});

const b64 = (b: Buffer): string => b.toString('base64');
const frame = (colour: number[], format: 'png' | 'jpeg' | 'webp' = 'png'): Promise<Buffer> => image(12, 8, () => colour, format);

async function errorOf(p: Promise<unknown>): Promise<LabError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(LabError);
  return err as LabError;
}

describe('saving frames', () => {
  it('writes a JPEG into <workspace>/captures/<capture>/images/<class>/ and lists it', async () => {
    const saved = await saveFrame(ws, { capture: 'desk', className: 'mug', data: b64(await frame([200, 30, 30])) });
    const file = path.join(ws.root, 'captures', 'desk', 'images', 'mug', saved.file);
    expect(saved.id).toBe(`mug/${saved.file}`);
    expect(saved.file).toMatch(/^\d{8}T\d{9}Z-\d+\.jpg$/);
    const meta = await sharp(readFileSync(file)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 12, 8]);
    // Re-encoded: a red frame stays red.
    const { data } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(170);
    expect(data[1]).toBeLessThan(70);
    const [summary] = await listCaptures(ws);
    expect(summary).toMatchObject({ name: 'desk', frames: 1, classes: [{ name: 'mug', frames: 1 }] });
    const frames = await listFrames(ws, { capture: 'desk', limit: 10 });
    expect(frames[0]!.thumb).toMatch(/^data:image\/jpeg;base64,/);
  });

  it('keeps every frame of a fast burst (unique names, one ledger entry each)', async () => {
    const data = b64(await frame([20, 200, 20], 'jpeg'));
    const saved = await Promise.all(Array.from({ length: 12 }, () => saveFrame(ws, { capture: 'burst', className: 'plant', data })));
    expect(new Set(saved.map((s) => s.file)).size).toBe(12);
    expect(readdirSync(path.join(ws.root, 'captures', 'burst', 'images', 'plant'))).toHaveLength(12);
    expect((await listCaptures(ws)).find((c) => c.name === 'burst')?.frames).toBe(12);
  });

  it('refuses bytes that are not an image, and class names a folder cannot hold, writing nothing', async () => {
    const notImage = await errorOf(saveFrame(ws, { capture: 'desk', className: 'mug', data: b64(Buffer.from('hello, not an image at all')) }));
    expect(notImage.message).toMatch(/not a JPEG, PNG or WebP image/);
    for (const bad of ['../escape', 'a/b', 'train', '.hidden', 'CON']) {
      const err = await errorOf(saveFrame(ws, { capture: 'desk', className: bad, data: b64(await frame([1, 2, 3])) }));
      expect(err.code).toBe('BAD_ARGUMENT');
      expect(formatMessage(err.msg!, 'zh-CN')).toMatch(/类别名称/);
    }
    expect(existsSync(path.join(ws.root, 'escape'))).toBe(false);
    expect(readdirSync(path.join(ws.root, 'captures', 'desk', 'images'))).toEqual(['mug']);
    expect(folderNameProblem('茶杯 (blue)', 'class')).toBeNull();
  });

  it('refuses a captures folder that is a link to a folder outside the workspace', async () => {
    const other = tempDir('capture-link');
    const linked = openWorkspace(path.join(other.dir, 'home'));
    const outside = path.join(other.dir, 'my-photos');
    mkdirSync(outside);
    symlinkSync(outside, path.join(linked.root, 'captures'));
    const err = await errorOf(saveFrame(linked, { capture: 'desk', className: 'mug', data: b64(await frame([9, 9, 9])) }));
    expect(err.message).toMatch(/does not lie inside the lab's capture folder/);
    expect(readdirSync(outside)).toEqual([]);
    other.cleanup();
  });
});

describe('deleting frames', () => {
  it('deletes a frame the lab wrote, refuses one changed since, and refuses a file it did not write', async () => {
    const a = await saveFrame(ws, { capture: 'del', className: 'cup', data: b64(await frame([50, 50, 200])) });
    const b = await saveFrame(ws, { capture: 'del', className: 'cup', data: b64(await frame([50, 60, 200])) });
    const dir = path.join(ws.root, 'captures', 'del', 'images', 'cup');
    writeFileSync(path.join(dir, 'mine.jpg'), 'a file the lab did not write');
    expect(await deleteFrame(ws, { capture: 'del', frame: a.id })).toEqual({ deleted: true });
    expect(existsSync(path.join(dir, a.file))).toBe(false);

    writeFileSync(path.join(dir, b.file), 'edited by someone');
    expect((await errorOf(deleteFrame(ws, { capture: 'del', frame: b.id }))).message).toMatch(/changed since the lab wrote it/);
    expect(readFileSync(path.join(dir, b.file), 'utf8')).toBe('edited by someone');
    expect((await errorOf(deleteFrame(ws, { capture: 'del', frame: 'cup/mine.jpg' }))).code).toBe('NOT_FOUND');
    expect(existsSync(path.join(dir, 'mine.jpg'))).toBe(true);
  });
});

describe('a capture as a dataset', () => {
  it('needs two classes, imports with one class per folder, and merges with a user folder without touching it', async () => {
    const tooFew = await errorOf(captureToDataset(ws, { capture: 'burst' }));
    expect(tooFew.code).toBe('TOO_FEW_CLASSES');

    for (let i = 0; i < 3; i++) await saveFrame(ws, { capture: 'two', className: 'red thing', data: b64(await distinct(0, i)) });
    for (let i = 0; i < 3; i++) await saveFrame(ws, { capture: 'two', className: 'green thing', data: b64(await distinct(1, i)) });
    const ds = await captureToDataset(ws, { capture: 'two' });
    expect(ds.images).toBe(6);
    expect(ds.classes.map((c) => c.name).sort()).toEqual(['green thing', 'red thing']);
    expect((await listCaptures(ws)).find((c) => c.name === 'two')?.datasetId).toBe(ds.id);

    const user = path.join(tmp.dir, 'user-photos');
    for (let i = 0; i < 3; i++) await put(path.join(user, 'blue thing', `${i}.png`), await distinct(2, i));
    for (let i = 0; i < 2; i++) await put(path.join(user, 'red thing', `${i}.png`), await distinct(0, i + 5));
    const before = treeFingerprint(user);
    const imported = await importDataset(ws, { paths: [user] });
    const merged = await captureToDataset(ws, { capture: 'two', mergeWith: imported.id });
    expect(merged.id).not.toBe(imported.id);
    expect(merged.images).toBe(11);
    expect(Object.fromEntries(merged.classes.map((c) => [c.name, c.counts.train + c.counts.val + c.counts.test]))).toEqual({ 'blue thing': 3, 'green thing': 3, 'red thing': 5 });
    expect(treeFingerprint(user)).toEqual(before);

    // With the user's folder imported, frames still go only to the lab's capture folder.
    await saveFrame(ws, { capture: 'two', className: 'blue thing', data: b64(await distinct(2, 7)) });
    expect(treeFingerprint(user)).toEqual(before);
  });
});
