/**
 * The image route (and Electron's lab://, which calls the same resolver) re-checks at serve time that the file is
 * still the one imported: an image replaced by a symlink to /etc/passwd is never served, a cached thumbnail (the
 * lab's own copy) still is, and manifests written before device/inode were recorded are checked by real path.
 */
import { copyFileSync, existsSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabHandlers } from '../../shared/contract';
import { importDataset } from '../datasets/import';
import { readManifest, writeManifest } from '../datasets/manifest';
import { resolveSampleImage } from '../datasets/sample-image';
import { distinct, put, tempDir } from '../datasets/test-fixtures';
import type { LabService } from '../service/lab-service';
import { openWorkspace, type Workspace } from '../workspace';
import { startServer, type RunningServer } from './serve';

const TOKEN = 'image-route-token-0123456789';
const tmp = tempDir('lab-image-route-');
let ws: Workspace;
let id: string;
let server: RunningServer;
let root: string;

beforeAll(async () => {
  ws = openWorkspace(path.join(tmp.dir, 'home'));
  root = path.join(tmp.dir, 'photos');
  for (const [c, name] of ['a', 'b'].entries()) {
    for (let i = 0; i < 3; i++) await put(path.join(root, name, `${i}.png`), await distinct(c, i));
  }
  id = (await importDataset(ws, { paths: [root] })).id;
  const service = {
    handlers: {} as LabHandlers,
    runs: {} as LabService['runs'],
    ctx: { ws, shell: 'browser' as const, version: 't', emit: () => undefined },
    onEvent: () => () => undefined,
    resolveImage: (d: string, i: number, v: 'thumb' | 'full') => resolveSampleImage(ws, d, i, v),
    dispose: () => undefined,
  } satisfies LabService;
  server = await startServer({ service, rendererDir: tmp.dir, token: TOKEN });
});
afterAll(async () => {
  await server.close();
  tmp.cleanup();
});

const get = (index: number, variant: 'full' | 'thumb') =>
  fetch(`http://127.0.0.1:${server.port}/api/image/${encodeURIComponent(id)}/${index}?variant=${variant}`, { headers: { authorization: `token ${TOKEN}` } });

describe('image serving re-checks the file at serve time', () => {
  it('records device and inode at import', async () => {
    const m = await readManifest(ws, id);
    const st = statSync(m.items[0]!.path);
    expect(m.items[0]).toMatchObject({ dev: st.dev, ino: st.ino, size: st.size });
  });

  it('never serves /etc/passwd through an image replaced by a symlink, over HTTP or to lab://', async () => {
    const m = await readManifest(ws, id);
    const file = m.items[0]!.path;
    const ok = await get(0, 'full');
    expect(ok.status).toBe(200);
    expect(Buffer.from(await ok.arrayBuffer()).equals(readFileSync(file))).toBe(true);
    rmSync(file);
    symlinkSync('/etc/passwd', file);
    const res = await get(0, 'full');
    const body = await res.text();
    expect(res.status).toBe(404);
    expect(body).not.toContain('root:');
    expect(body).toMatch(/was replaced by another file|has changed/);
    expect(body).toMatch(/Import the folder again/);
    await expect(resolveSampleImage(ws, id, 0, 'thumb')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it("serves the lab's own cached thumbnail when the file changed, never the new content", async () => {
    const thumb = Buffer.from(await (await get(1, 'thumb')).arrayBuffer());
    const m = await readManifest(ws, id);
    const file = m.items[1]!.path;
    rmSync(file);
    symlinkSync('/etc/passwd', file);
    const again = await get(1, 'thumb');
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).equals(thumb)).toBe(true);
    // The full view falls back to the same cached copy, never to what the path holds now.
    const full = await get(1, 'full');
    expect(full.headers.get('content-type')).toBe('image/webp');
    expect(Buffer.from(await full.arrayBuffer()).equals(thumb)).toBe(true);
  });

  it('checks manifests without device/inode by real path: a same-size, same-mtime copy outside the folder is refused', async () => {
    const m = await readManifest(ws, id);
    for (const it of m.items) {
      delete it.dev;
      delete it.ino;
    }
    await writeManifest(ws, m);
    const file = m.items[2]!.path;
    expect((await get(2, 'full')).status).toBe(200); // old manifest, untouched file: still served
    const outside = path.join(tmp.dir, 'outside.png');
    copyFileSync(file, outside);
    const st = statSync(file);
    utimesSync(outside, st.atime, st.mtime);
    rmSync(file);
    symlinkSync(outside, file);
    const res = await get(2, 'full');
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/leads outside the imported folder/);
    expect(existsSync(outside)).toBe(true);
  });
});
