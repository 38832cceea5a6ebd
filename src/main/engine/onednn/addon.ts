// Loads the optional native kernels (native/onednn: oneDNN, the library PyTorch's CPU convolutions use).
// Built at install time when a C++ compiler and oneDNN's headers are present (`npm run build:native`);
// absent otherwise, and the engine then trains on WebAssembly. Never throws: says why it is unavailable.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shapes travel as Int32Arrays; see native/onednn/src/*.h for each layout. */
export interface OneDnnAddon {
  convForward(p: Int32Array, x: Float32Array, w: Float32Array, bias: Float32Array | null, relu: boolean, y: Float32Array): void;
  convBackwardData(p: Int32Array, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  convBackwardWeights(p: Int32Array, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  /** Depthwise convolution: the conv params with OC = IC × multiplier, filters [KH, KW, IC, multiplier]. */
  depthwiseForward(p: Int32Array, x: Float32Array, w: Float32Array, y: Float32Array): void;
  depthwiseBackwardData(p: Int32Array, dy: Float32Array, w: Float32Array, dx: Float32Array): void;
  depthwiseBackwardWeights(p: Int32Array, x: Float32Array, dy: Float32Array, dw: Float32Array): void;
  batchNormForward(
    m: number, c: number, eps: number,
    x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array,
  ): void;
  batchNormBackward(
    m: number, c: number, eps: number,
    x: Float32Array, dy: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
  ): void;
  /** batchNormForward followed by y = relu(y) in the same pass; absent from addons built before it. */
  batchNormReluForward?(
    m: number, c: number, eps: number,
    x: Float32Array, gamma: Float32Array, beta: Float32Array, y: Float32Array, mean: Float32Array, variance: Float32Array,
  ): void;
  /** The gradient of batchNormReluForward (β recomputes the ReLU's mask); absent from addons built before it. */
  batchNormReluBackward?(
    m: number, c: number, eps: number,
    x: Float32Array, dy: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array,
    dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, beta: Float32Array,
  ): void;
  maxPoolGrad(p: Int32Array, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** Max pooling, params as maxPoolGrad's (native/onednn/src/max_pool.h); absent from addons built before it. */
  maxPool?(p: Int32Array, x: Float32Array, y: Float32Array): void;
  /** y = max(x, 0) over n values, NaN kept (native/onednn/src/eltwise.h); absent from addons built before it. */
  relu?(n: number, x: Float32Array, y: Float32Array): void;
  matmul(p: Int32Array, a: Float32Array, b: Float32Array, bias: Float32Array | null, relu: boolean, c: Float32Array): void;
  /** Inverted-dropout multipliers from a uint32 seed (native/onednn/src/eltwise.h); absent from addons built before it. */
  dropoutMask?(n: number, seed: number, rate: number, scale: number, out: Float32Array): void;
  /** ReLU's gradient dx = dy · step(x) over n values (native/onednn/src/eltwise.h); absent from addons built before it. */
  reluGrad?(n: number, x: Float32Array, dy: Float32Array, dx: Float32Array): void;
  /** One variable's optimizer update (native/onednn/src/optimizer.h); absent from addons built before it. */
  optimizerStep?(
    rule: number, hyper: Float32Array, n: number, theta: Float32Array, g: Float32Array, s1: Float32Array | null, s2: Float32Array | null,
    thetaOut: Float32Array, s1Out: Float32Array | null, s2Out: Float32Array | null,
  ): void;
  /**
   * Gathers `rows` of a uint8 dataset (rows of `rowBytes`) into `out` as float32, scaled for the model (0: x/255,
   * 1: x/127.5 − 1), on a worker thread (native/onednn/src/batch_prep.h); absent from addons built before it.
   */
  gatherToFloat?(src: Uint8Array, rows: Int32Array, rowBytes: number, scale: 0 | 1, out: Float32Array): Promise<void>;
  convImplementations(p: Int32Array): string;
  version(): string;
}

export type AddonLoad = { ok: true; addon: OneDnnAddon; file: string } | { ok: false; reason: string };

const FILE = 'lab_onednn.node';
const BUILD_HINT = 'run `npm run build:native` (needs a C++ compiler and oneDNN: on Debian/Ubuntu `apt-get install g++ libdnnl-dev`)';

function candidates(): string[] {
  const list: string[] = [];
  if (process.env.LAB_ONEDNN_ADDON) list.push(process.env.LAB_ONEDNN_ADDON);
  const electronResources = (process as { resourcesPath?: string }).resourcesPath;
  if (electronResources) list.push(path.join(electronResources, 'native', FILE));
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    list.push(path.join(dir, 'native', 'onednn', 'build', 'Release', FILE));
    dir = path.dirname(dir);
  }
  return list;
}

let loaded: AddonLoad | null = null;

export function loadOneDnn(): AddonLoad {
  if (loaded) return loaded;
  const file = candidates().find((f) => existsSync(f));
  if (!file) {
    loaded = { ok: false, reason: `native kernels not built: ${BUILD_HINT}` };
    return loaded;
  }
  // OpenMP threads sleep between kernels instead of spinning: the JS thread needs the core in between.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  try {
    const addon = createRequire(import.meta.url)(file) as OneDnnAddon;
    loaded = { ok: true, addon, file };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    loaded = { ok: false, reason: `native kernels at ${file} did not load (${msg}); ${BUILD_HINT}` };
  }
  return loaded;
}
