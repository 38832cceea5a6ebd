/**
 * What the doctor says about the native oneDNN path: which oneDNN library this process loaded and from where,
 * why the native kernels were not built (the reason scripts/build-native.mjs wrote at install), and, where they
 * are missing, the exact command for this system and the speed it would bring.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BackendInfo } from '../../shared/dto';
import { english, msg, type LabMessage } from '../../shared/messages';
import { labRoot } from '../install-paths';
import { loadOneDnn, type AddonLoad } from './onednn/addon';

/**
 * Training speed of each CPU path as a ratio to PyTorch 1.13 on the same networks and threads, measured by
 * `npm run bench` (synthetic batches) on the project's 2-core machines; the README's "Training backends" section
 * gives the measurement. Only ratios: the absolute speed depends on the machine.
 */
export const MEASURED_VS_PYTORCH = { onednn: [1.7, 2.0], wasm: [0.15, 0.45] } as const;

/** How much faster the native path trains than WebAssembly, from the measured ratios (the low end of each range). */
export function nativeSpeedup(): string {
  const [lo, hi] = MEASURED_VS_PYTORCH.onednn;
  const [wlo, whi] = MEASURED_VS_PYTORCH.wasm;
  return `${Math.round(lo / whi)}–${Math.round(hi / wlo)}×`;
}

/** The libdnnl file mapped into this process (Linux: /proc/self/maps), or null when none is loaded. */
export function loadedOneDnnLibrary(maps = '/proc/self/maps'): string | null {
  if (!existsSync(maps)) return null;
  const line = readFileSync(maps, 'utf8')
    .split('\n')
    .find((l) => /\/libdnnl\.(so|dylib)[.\d]*\s*$/.test(l));
  return line ? line.slice(line.indexOf('/')).trim() : null;
}

export interface NativeBuildStatus {
  built: boolean;
  message: string;
  /** no-headers, unsupported-major, build-failed, does-not-load, no-node-gyp, platform, skipped */
  reason?: string;
  onednn?: string;
}

/** What the last `npm run build:native` (or the install's postinstall) said, or null when it never ran here. */
export function nativeBuildStatus(root = labRoot()): NativeBuildStatus | null {
  try {
    return JSON.parse(readFileSync(path.join(root, 'native', 'onednn', 'build', 'status.json'), 'utf8')) as NativeBuildStatus;
  } catch {
    return null;
  }
}

/** The fields of /etc/os-release that identify a distribution. */
export function parseOsRelease(text: string): { id: string; idLike: string[] } {
  const field = (name: string): string => new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1]?.replace(/^["']|["']$/g, '') ?? '';
  return { id: field('ID').toLowerCase(), idLike: field('ID_LIKE').toLowerCase().split(/\s+/).filter(Boolean) };
}

export interface InstallAdvice {
  /** The system it is for, in words. */
  system: string;
  /** The exact command to run, or null where only a link can help. */
  command: string | null;
  /** Where to read more. */
  link: string;
}

const ONEDNN_LINK = 'https://github.com/oneapi-src/oneDNN/releases';
const THEN_BUILD = 'npm run build:native';

/** The packages the native kernels need (a C++ compiler and oneDNN's headers), for this system's package manager. */
export function installAdvice(platform: NodeJS.Platform = process.platform, osRelease?: string): InstallAdvice {
  if (platform === 'darwin') return { system: 'macOS (Homebrew)', command: `brew install onednn libomp && ${THEN_BUILD}`, link: 'https://formulae.brew.sh/formula/onednn' };
  if (platform !== 'linux') return { system: platform, command: null, link: ONEDNN_LINK };
  let text = osRelease;
  if (text === undefined) {
    try {
      text = readFileSync('/etc/os-release', 'utf8');
    } catch {
      text = '';
    }
  }
  const { id, idLike } = parseOsRelease(text);
  const is = (...names: string[]): boolean => names.includes(id) || idLike.some((l) => names.includes(l));
  if (is('debian', 'ubuntu')) return { system: 'Debian/Ubuntu', command: `sudo apt-get install g++ libdnnl-dev && ${THEN_BUILD}`, link: 'https://packages.debian.org/libdnnl-dev' };
  if (is('fedora', 'rhel', 'centos')) return { system: 'Fedora', command: `sudo dnf install gcc-c++ onednn-devel && ${THEN_BUILD}`, link: 'https://packages.fedoraproject.org/pkgs/onednn/' };
  if (is('arch')) return { system: 'Arch Linux', command: `sudo pacman -S gcc onednn && ${THEN_BUILD}`, link: 'https://archlinux.org/packages/?q=onednn' };
  return { system: id || 'Linux', command: null, link: ONEDNN_LINK };
}

/** The sentence: why the native kernels are missing, what to run here to get them, and what it brings. */
export function fastPathMessage(reason: LabMessage, platform: NodeJS.Platform = process.platform, osRelease?: string): LabMessage {
  const advice = installAdvice(platform, osRelease);
  const [lo, hi] = MEASURED_VS_PYTORCH.onednn;
  const [wlo, whi] = MEASURED_VS_PYTORCH.wasm;
  const ratios = { reason, speedup: nativeSpeedup(), onednn: `${lo}–${hi}`, wasm: `${wlo}–${whi}` };
  return advice.command
    ? msg('doctor.onednn.install', { ...ratios, system: advice.system, command: advice.command })
    : msg('doctor.onednn.installByHand', { ...ratios, link: advice.link });
}

type DoctorCheck = { name: string; ok: boolean; detail: string; detailMsg: LabMessage };

/**
 * The doctor's line about the native path: with it loaded, the oneDNN version and the library file this process
 * mapped (the copy beside the addon in an installed or packaged lab, else the system's); without it, why, and
 * what to run here to get it.
 */
export function oneDnnDoctorCheck(backend: BackendInfo, load: () => AddonLoad = loadOneDnnWithBuildReason): DoctorCheck {
  const name = 'Native CPU kernels (oneDNN)';
  const candidate = backend.candidates.find((c) => c.name === 'onednn');
  const native = load();
  const check = (ok: boolean, detailMsg: LabMessage): DoctorCheck => ({ name, ok, detail: english(detailMsg), detailMsg });
  if (native.ok) {
    const where = { version: native.addon.version(), library: loadedOneDnnLibrary() ?? msg('doctor.onednn.systemPath') };
    if (candidate?.loaded) return check(true, msg('doctor.onednn.loaded', { ...where, addon: native.file }));
    return check(true, msg('doctor.onednn.notChosen', { ...where, reason: candidate?.reasonMsg ?? msg('common.verbatim', { text: candidate?.reason ?? '' }) }));
  }
  const reason = msg('common.verbatim', { text: native.reason });
  // A TensorFlow backend trains faster still: nothing to install for this one.
  const tensorflow = backend.candidates.find((c) => c.loaded && (c.name === 'tensorflow' || c.name === 'tensorflow-gpu'));
  if (tensorflow) return check(true, msg('doctor.onednn.notNeeded', { reason, backend: backend.labelMsg ?? backend.label }));
  return check(false, fastPathMessage(reason));
}

/** The native kernels, or why not: the install's build reason when it never built them (e.g. an unsupported oneDNN). */
export function loadOneDnnWithBuildReason(): AddonLoad {
  const loaded = loadOneDnn();
  if (loaded.ok) return loaded;
  const status = nativeBuildStatus();
  return status && !status.built ? { ok: false, reason: `native kernels ${status.message}` } : loaded;
}
