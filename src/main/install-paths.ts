/**
 * Where the lab's own files are, whatever the working directory and however the lab was installed: a source
 * checkout (tests, `npm run dev`), an npm install of the package (built JavaScript in out/), or the packaged app
 * (an asar, with the sample and native files in Electron's resources folder). Found from this module's own
 * location, never from the current directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'image-classification-lab';

/** True when this code runs from its TypeScript sources (vitest, tsx), false from the built out/main bundle. */
export const runningFromSource = /\.ts($|\?)/.test(import.meta.url);

let root: string | null = null;

/** The folder holding the lab's package.json: the first one named image-classification-lab above this module. */
export function labRoot(): string {
  if (root) return root;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && readName(pkg) === PACKAGE_NAME) return (root = dir);
    if (path.dirname(dir) === dir) break;
  }
  throw new Error(`The lab's package.json was not found above ${start}; reinstall the lab.`);
}

function readName(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** A file of the built main-process bundle (out/main), e.g. the training worker `worker.js`. */
export function builtMainFile(name: string): string {
  return path.join(labRoot(), 'out', 'main', name);
}

/** The built renderer that `lab serve` serves. */
export function rendererDir(): string {
  return path.join(labRoot(), 'out', 'renderer');
}

/** The bundled Fashion-MNIST sample: resources/sample, or `sample` in the packaged app's resources folder. */
export function sampleDir(): string {
  const electronResources = (process as { resourcesPath?: string }).resourcesPath;
  const packaged = electronResources ? path.join(electronResources, 'sample') : null;
  if (packaged && existsSync(packaged)) return packaged;
  return path.join(labRoot(), 'resources', 'sample');
}

/**
 * From sources only: the bootstrap that registers tsx (resolved from the lab's own node_modules, not from the
 * current directory) and then imports the TypeScript entry given as its first argument.
 */
export function sourceEntryBootstrap(): string {
  return path.join(labRoot(), 'src', 'main', 'run-ts-entry.mjs');
}

/** The lab's version from its package.json. */
export function labVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(labRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}
