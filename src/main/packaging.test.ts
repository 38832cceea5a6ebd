/**
 * The packaged app's electron-builder config ("build" in package.json) carries what the fast path and the
 * first run need. electron-builder itself cannot run here (it downloads the Electron binary), so this checks the
 * config against the files it would copy: the native addon with the oneDNN library and licence beside it (after
 * `npm run build:native`), sharp's binaries outside the asar, the sample dataset and the backbone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labRoot } from './install-paths';

const root = labRoot();
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  files: string[];
  build: { files: string[]; asarUnpack: string[]; extraResources: { from: string; to: string; filter?: string[] }[] };
};
const resource = (to: string) => pkg.build.extraResources.find((r) => r.to === to);
/** electron-builder's glob for one path segment: `*` is anything but a slash. */
const globMatches = (glob: string, name: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(name);

describe('packaged app (electron-builder config)', () => {
  it('ships the built app, the sample dataset and the built-in backbone', () => {
    expect(pkg.build.files).toContain('out/**');
    expect(existsSync(path.join(root, resource('sample')!.from, 'train'))).toBe(true);
    expect(existsSync(path.join(root, resource('backbones')!.from, 'mobilenetv2', 'model.json'))).toBe(true);
  });

  it('ships the PyTorch job package (labjob) that lab train --engine torch copies into each job', () => {
    const torch = resource('torch-job')!;
    const files = readdirSync(path.join(root, torch.from, 'labjob')).filter((f) => f.endsWith('.py'));
    expect(files).toContain('__main__.py');
    for (const f of files) expect(torch.filter!.some((g) => globMatches(g, `labjob/${f}`)), f).toBe(true);
  });

  it("keeps sharp's native binaries out of the asar", () => {
    for (const dir of ['node_modules/sharp/lib/index.js', 'node_modules/@img/sharp-linux-x64/lib/x.node']) {
      const unpacked = pkg.build.asarUnpack.some((g) => new RegExp(`^${g.replace(/\*\*\//g, '(.*/)?').replace(/\/\*\*$/, '/.*')}$`).test(dir));
      expect(unpacked, dir).toBe(true);
    }
  });

  it('copies the native addon with the oneDNN library and its licence notice beside it', () => {
    const native = resource('native')!;
    expect(native.from).toBe('native/onednn/build/Release');
    for (const name of ['lab_onednn.node', 'libdnnl.so.2', 'oneDNN-LICENSE.txt']) {
      expect(native.filter!.some((g) => globMatches(g, name)), name).toBe(true);
    }
  });

  const statusFile = path.join(root, 'native', 'onednn', 'build', 'status.json');
  const status = existsSync(statusFile) ? (JSON.parse(readFileSync(statusFile, 'utf8')) as { built: boolean; bundled?: boolean }) : null;
  it.skipIf(process.platform !== 'linux' || !status?.built)('after build:native, the addon finds the oneDNN copy beside it ($ORIGIN rpath)', () => {
    const dir = path.join(root, 'native', 'onednn', 'build', 'Release');
    const files = readdirSync(dir);
    const shipped = files.filter((f) => resource('native')!.filter!.some((g) => globMatches(g, f)));
    expect(shipped).toContain('lab_onednn.node');
    expect(shipped.some((f) => /^libdnnl\.so\.\d+$/.test(f))).toBe(true);
    expect(readFileSync(path.join(dir, 'oneDNN-LICENSE.txt'), 'utf8')).toMatch(/Apache/);
    // Loaded in a fresh process: the libdnnl it maps is the copy in the same folder, not the system's.
    const probe = spawnSync(
      process.execPath,
      ['-e', `require(${JSON.stringify(path.join(dir, 'lab_onednn.node'))}); process.stdout.write(require('fs').readFileSync('/proc/self/maps', 'utf8'))`],
      { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: '' } },
    );
    expect(probe.status).toBe(0);
    const mapped = probe.stdout.split('\n').find((l) => /libdnnl\.so/.test(l));
    expect(mapped && mapped.slice(mapped.indexOf('/'))).toMatch(new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/libdnnl\\.so\\.\\d+$`));
  });

  it('npm pack carries the built lab and what its install builds, not the sources', () => {
    for (const needed of ['bin/', 'out/main/', 'out/renderer/', 'resources/', 'native/onednn/src/', 'scripts/build-native.mjs']) {
      expect(pkg.files).toContain(needed);
    }
    expect(pkg.files.some((f) => f.startsWith('src'))).toBe(false);
  });
});
