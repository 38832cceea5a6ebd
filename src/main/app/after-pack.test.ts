/**
 * The package step's afterPack hook flips Electron's fuses. No Electron binary is needed: the hook runs on a dummy
 * binary that carries Electron's fuse sentinel and wire, and the wire is read back with @electron/fuses.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const afterPack = require('../../../build/after-pack.cjs') as ((ctx: unknown) => Promise<void>) & { labFuses: (p: string, a: string) => Record<string, unknown> };
const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses') as typeof import('@electron/fuses');
/** The wire's bytes: ASCII '0' off, '1' on. */
const FuseState = { DISABLE: 48, ENABLE: 49 };
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** Bytes around a fuse wire as Electron ships it: every fuse at Electron's default (most enabled). */
function dummyElectron(file: string): void {
  const wire = Buffer.from([1, 8, ...'10110101'].map((c) => (typeof c === 'number' ? c : c.charCodeAt(0))));
  writeFileSync(file, Buffer.concat([Buffer.alloc(4096, 7), Buffer.from(SENTINEL), wire, Buffer.alloc(4096, 9)]));
}

describe('afterPack fuses', () => {
  it('turns off RunAsNode, NODE_OPTIONS and --inspect, and turns on ASAR integrity and OnlyLoadAppFromAsar', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'lab-fuses-'));
    const binary = path.join(out, 'image-classification-lab');
    dummyElectron(binary);
    const before = readFileSync(binary);
    await afterPack({ appOutDir: out, electronPlatformName: 'linux', arch: 1, packager: { executableName: 'image-classification-lab', appInfo: { productFilename: 'Image Classification Lab' } } });
    const wire = await getCurrentFuseWire(binary);
    expect(wire[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(FuseState.DISABLE);
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(FuseState.ENABLE);
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
    // Only the fuse wire changed.
    const after = readFileSync(binary);
    expect(after.length).toBe(before.length);
    const changed = [...after.keys()].filter((i) => after[i] !== before[i]);
    const wireStart = 4096 + SENTINEL.length + 2;
    expect(changed.every((i) => i >= wireStart && i < wireStart + 8)).toBe(true);
  });

  it('re-signs ad hoc only on arm64 macOS and is referenced from package.json build.afterPack', () => {
    expect(afterPack.labFuses('darwin', 'arm64').resetAdHocDarwinSignature).toBe(true);
    expect(afterPack.labFuses('linux', 'x64').resetAdHocDarwinSignature).toBe(false);
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { build: { afterPack: string } };
    expect(pkg.build.afterPack).toBe('build/after-pack.cjs');
  });
});
