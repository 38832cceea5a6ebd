import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../shared/dto';
import { loadOneDnn } from './onednn/addon';
import { english, formatMessage, msg } from '../../shared/messages';
import { fastPathMessage, installAdvice, loadedOneDnnLibrary, nativeBuildStatus, oneDnnDoctorCheck } from './onednn-install';

const advice = (osRelease: string) => english(fastPathMessage(msg('common.verbatim', { text: 'not built' }), 'linux', osRelease));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-onednn-install-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OS_RELEASE = {
  debian: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n',
  ubuntu: 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n',
  mint: 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n',
  fedora: 'NAME="Fedora Linux"\nID=fedora\n',
  rocky: 'ID="rocky"\nID_LIKE="rhel centos fedora"\n',
  arch: 'NAME="Arch Linux"\nID=arch\n',
  manjaro: 'ID=manjaro\nID_LIKE=arch\n',
  alpine: 'NAME="Alpine Linux"\nID=alpine\n',
};

describe('installAdvice: the exact command for this system', () => {
  it('names each distribution family by its package manager', () => {
    expect(installAdvice('linux', OS_RELEASE.debian).command).toBe('sudo apt-get install g++ libdnnl-dev && npm run build:native');
    expect(installAdvice('linux', OS_RELEASE.ubuntu).command).toMatch(/^sudo apt-get install g\+\+ libdnnl-dev/);
    expect(installAdvice('linux', OS_RELEASE.mint).command).toMatch(/^sudo apt-get install/);
    expect(installAdvice('linux', OS_RELEASE.fedora).command).toBe('sudo dnf install gcc-c++ onednn-devel && npm run build:native');
    expect(installAdvice('linux', OS_RELEASE.rocky).command).toMatch(/^sudo dnf install/);
    expect(installAdvice('linux', OS_RELEASE.arch).command).toBe('sudo pacman -S gcc onednn && npm run build:native');
    expect(installAdvice('linux', OS_RELEASE.manjaro).command).toMatch(/^sudo pacman -S/);
    expect(installAdvice('darwin').command).toMatch(/^brew install onednn/);
  });

  it('gives a link, not a guessed command, where it does not know the system', () => {
    for (const advice of [installAdvice('linux', OS_RELEASE.alpine), installAdvice('linux', ''), installAdvice('win32')]) {
      expect(advice.command).toBeNull();
      expect(advice.link).toMatch(/^https:\/\//);
    }
    expect(advice(OS_RELEASE.alpine)).toContain('https://github.com/oneapi-src/oneDNN/releases');
  });

  it('says what the command brings, as measured ratios', () => {
    const text = advice(OS_RELEASE.debian);
    expect(text).toMatch(/^not built\. /);
    expect(text).toContain('sudo apt-get install g++ libdnnl-dev && npm run build:native');
    expect(text).toMatch(/\d+–\d+× faster CPU training than WebAssembly/);
    expect(text).toMatch(/1\.7–2× PyTorch's speed against 0\.15–0\.45×/);
    // The same sentence in Chinese, with the same command.
    const zh = formatMessage(fastPathMessage(msg('common.verbatim', { text: '未构建' }), 'linux', OS_RELEASE.debian), 'zh-CN');
    expect(zh).toContain('sudo apt-get install g++ libdnnl-dev && npm run build:native');
    expect(zh).toMatch(/CPU 训练可比 WebAssembly 快 \d+–\d+×/);
  });
});

describe('what the doctor reads', () => {
  it('finds the libdnnl mapped into a process, and nothing when none is', () => {
    const maps = path.join(tmp, 'maps');
    writeFileSync(
      maps,
      [
        '7f00-7f01 r-xp 00000000 08:01 12 /usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0',
        '7f02-7f03 r-xp 00000000 08:01 13 /opt/lab/resources/native/libdnnl.so.2',
        '7f04-7f05 rw-p 00000000 00:00 0 ',
      ].join('\n'),
    );
    expect(loadedOneDnnLibrary(maps)).toBe('/opt/lab/resources/native/libdnnl.so.2');
    writeFileSync(maps, '7f00-7f01 r-xp 00000000 08:01 12 /usr/lib/libc.so.6\n');
    expect(loadedOneDnnLibrary(maps)).toBeNull();
    expect(loadedOneDnnLibrary(path.join(tmp, 'absent'))).toBeNull();
  });

  it('reads the reason the install gave for not building the native kernels', () => {
    const root = path.join(tmp, 'lab');
    mkdirSync(path.join(root, 'native', 'onednn', 'build'), { recursive: true });
    expect(nativeBuildStatus(root)).toBeNull();
    const message = 'not built: oneDNN 3.4.1 is installed (/usr/include), and the native kernels are written for oneDNN 2.x';
    writeFileSync(path.join(root, 'native', 'onednn', 'build', 'status.json'), JSON.stringify({ built: false, message, reason: 'unsupported-major', onednn: '3.4.1' }));
    expect(nativeBuildStatus(root)).toMatchObject({ built: false, reason: 'unsupported-major', onednn: '3.4.1', message });
  });
});

const wasmOnly: BackendInfo = {
  name: 'wasm',
  label: 'CPU (WebAssembly SIMD + XNNPACK, lab training kernels)',
  device: 'cpu',
  threads: 1,
  candidates: [
    { name: 'tensorflow', package: '@tensorflow/tfjs-node', loaded: false, reason: 'not installed' },
    { name: 'onednn', package: 'native/onednn', loaded: false, reason: 'native kernels not built: oneDNN 3.4.1 is installed' },
    { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', loaded: true },
  ],
};

describe('oneDnnDoctorCheck', () => {
  it('without the native kernels: says why, what to run and what it brings', () => {
    const check = oneDnnDoctorCheck(wasmOnly, () => ({ ok: false, reason: 'native kernels not built: oneDNN 3.4.1 is installed' }));
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('oneDNN 3.4.1 is installed');
    expect(check.detail).toMatch(/× faster CPU training than WebAssembly/);
  });

  const native = loadOneDnn();
  it.skipIf(!native.ok || process.platform !== 'linux')('with them: which oneDNN was loaded, and the library file this process mapped', () => {
    const onednn: BackendInfo = { ...wasmOnly, candidates: wasmOnly.candidates.map((c) => ({ ...c, loaded: c.name === 'onednn' })) };
    const check = oneDnnDoctorCheck(onednn, loadOneDnn);
    expect(check.ok).toBe(true);
    expect(check.detail).toMatch(/^oneDNN \d+\.\d+\.\d+ .*loaded from \/\S*libdnnl\.so[.\d]*; kernels \S*lab_onednn\.node$/);
  });
});
