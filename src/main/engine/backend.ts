// Picks the fastest tfjs backend that works: tfjs-node-gpu → tfjs-node → oneDNN native kernels over wasm (when
// native/onednn was built) → the bundled CPU path (wasm with our training kernels, else tfjs's JS CPU backend
// with our fast kernels). LAB_BACKEND forces a choice.
// Native packages are optional dependencies loaded with a dynamic import, so their absence never crashes.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import type { BackendCandidate, BackendInfo } from '../../shared/dto';
import { registerCpuFastKernels } from './cpu/register';
import { explainNativeLoadMessage } from './native-errors';
import { english, msg } from '../../shared/messages';
import type { AddonLoad } from './onednn/addon';
import { loadOneDnnWithBuildReason } from './onednn-install';

type CandidateName = BackendCandidate['name'];

export const BACKEND_ORDER: readonly CandidateName[] = ['tensorflow-gpu', 'tensorflow', 'onednn', 'wasm', 'cpu-fast', 'cpu'];

const PACKAGES: Record<CandidateName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  onednn: 'native/onednn (oneDNN kernels, built at install)',
  wasm: '@tensorflow/tfjs-backend-wasm',
  'cpu-fast': '@tensorflow/tfjs-backend-cpu',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

const LABELS: Record<CandidateName, string> = {
  'tensorflow-gpu': 'TensorFlow GPU (CUDA)',
  tensorflow: 'TensorFlow CPU (native)',
  onednn: 'CPU (oneDNN native kernels, all cores; WebAssembly for the rest)',
  wasm: 'CPU (WebAssembly SIMD + XNNPACK, lab training kernels)',
  'cpu-fast': 'CPU (JavaScript, lab fast kernels)',
  cpu: 'CPU (JavaScript reference kernels, slow)',
};

export interface InitBackendOptions {
  /** A candidate name to try first (e.g. from Settings); LAB_BACKEND still wins. */
  prefer?: string;
  /** Environment to read LAB_BACKEND from (tests). */
  env?: Record<string, string | undefined>;
  /** Module loader (tests inject failures); defaults to dynamic import. */
  importModule?: (name: string) => Promise<unknown>;
  /** Native kernel loader (tests inject an absent build); defaults to loading native/onednn. */
  loadNative?: () => AddonLoad;
}

let current: BackendInfo | null = null;
let pending: Promise<BackendInfo> | null = null;

export function getBackendInfo(): BackendInfo | null {
  return current;
}

/** Selects and initialises the backend once; later calls return the same answer. */
export function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  pending ??= select(opts).then(
    (info) => (current = info),
    (err: unknown) => {
      pending = null;
      throw err;
    },
  );
  return pending;
}

/** Forget the selection so the next initBackend chooses again (tests only). */
export function resetBackendSelectionForTests(): void {
  current = null;
  pending = null;
}

function isCandidateName(s: string): s is CandidateName {
  return (BACKEND_ORDER as readonly string[]).includes(s);
}

async function select(opts: InitBackendOptions): Promise<BackendInfo> {
  const env = opts.env ?? process.env;
  const importModule = opts.importModule ?? ((name: string) => import(/* @vite-ignore */ name));
  const forced = env.LAB_BACKEND?.trim();
  const candidates: BackendCandidate[] = BACKEND_ORDER.map((name) => ({ name, package: PACKAGES[name], loaded: false }));
  const byName = (n: CandidateName) => candidates.find((c) => c.name === n)!;

  let order: CandidateName[] = [...BACKEND_ORDER];
  let forcedBy: string | undefined;
  if (forced) {
    if (!isCandidateName(forced)) {
      throw new Error(`LAB_BACKEND=${forced} is not a backend; use one of ${BACKEND_ORDER.join(', ')}`);
    }
    forcedBy = `LAB_BACKEND=${forced}`;
    order = [forced, ...BACKEND_ORDER.filter((n) => n !== forced)];
  } else if (opts.prefer && isCandidateName(opts.prefer)) {
    order = [opts.prefer, ...BACKEND_ORDER.filter((n) => n !== opts.prefer)];
  }

  for (const name of order) {
    const c = byName(name);
    try {
      const threads = await tryLoad(name, importModule, opts.loadNative ?? loadOneDnnWithBuildReason);
      c.loaded = true;
      for (const other of candidates) {
        if (other !== c && !other.loaded && other.reason === undefined) {
          const why = forcedBy && other.name !== forced ? msg('backend.reason.notTried', { why: forcedBy }) : msg('backend.reason.notNeeded', { name: msg(`backend.label.${name}`) });
          other.reason = english(why);
          other.reasonMsg = why;
        }
      }
      if (forcedBy && name !== forced) {
        forcedBy = `${forcedBy} (failed: ${byName(forced as CandidateName).reason ?? 'unknown'}; fell back to ${name})`;
      }
      return {
        name: tf.getBackend(),
        label: LABELS[name],
        labelMsg: msg(`backend.label.${name}`),
        device: name === 'tensorflow-gpu' ? 'gpu' : 'cpu',
        threads,
        candidates,
        ...(forcedBy ? { forcedBy } : {}),
      };
    } catch (err) {
      const why = name === 'onednn' ? msg('backend.reason.failed', { detail: String((err as Error).message ?? err) }) : explainNativeLoadMessage(c.package, err);
      c.reason = name === 'onednn' ? String((err as Error).message ?? err) : english(why);
      c.reasonMsg = why;
    }
  }
  throw new Error(`no tfjs backend could be initialised: ${candidates.map((c) => `${c.name}: ${c.reason}`).join('; ')}`);
}

/**
 * Activates one candidate now, outside the once-only selection (the benchmark switches between CPU paths);
 * returns the number of threads it computes with. Throws why not.
 */
export function activateBackend(name: CandidateName): Promise<number> {
  return tryLoad(name, (n) => import(/* @vite-ignore */ n), loadOneDnnWithBuildReason);
}

/** Loads and activates one candidate; returns the number of threads it computes with. Throws why not. */
async function tryLoad(
  name: CandidateName,
  importModule: (n: string) => Promise<unknown>,
  loadNative: () => AddonLoad,
): Promise<number> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      await importModule(PACKAGES[name]);
      if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
      return os.cpus().length;
    }
    case 'onednn': {
      const native = loadNative();
      if (!native.ok) throw new Error(native.reason);
      await importModule('@tensorflow/tfjs-backend-wasm');
      const { registerWasmTrainingKernels } = await import('./wasm/register');
      const { registerOneDnnKernels } = await import('./onednn/register');
      registerWasmTrainingKernels();
      registerOneDnnKernels(native.addon);
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      // oneDNN's OpenMP threads: one per core unless OMP_NUM_THREADS says otherwise.
      return Number(process.env.OMP_NUM_THREADS) || os.cpus().length;
    }
    case 'wasm': {
      await importModule('@tensorflow/tfjs-backend-wasm');
      const { registerWasmTrainingKernels } = await import('./wasm/register');
      registerWasmTrainingKernels();
      (await import('./onednn/register')).unregisterOneDnnKernels();
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      // Node builds of tfjs-backend-wasm run single-threaded.
      return 1;
    }
    case 'cpu-fast': {
      registerCpuFastKernels();
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      return 1;
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      return 1;
    }
  }
}
