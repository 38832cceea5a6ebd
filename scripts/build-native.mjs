#!/usr/bin/env node
// Builds the optional native kernels (native/onednn, linked against oneDNN) with node-gyp.
// Runs from `postinstall` and never fails the install: without a compiler or oneDNN's headers it says what to
// install and the lab trains on WebAssembly instead. `--strict` (CI, after installing the packages) fails loudly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.argv.includes('--strict');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const addonDir = path.join(root, 'native', 'onednn');
const HOW = 'to build them: `apt-get install g++ libdnnl-dev` (Debian/Ubuntu), then `npm run build:native`';

function done(ok, message) {
  console.log(`[native kernels] ${message}`);
  process.exit(ok || !strict ? 0 : 1);
}

if (process.env.LAB_SKIP_NATIVE === '1') done(true, 'skipped: LAB_SKIP_NATIVE=1');
if (process.platform === 'win32') done(false, 'not built on Windows yet; training uses WebAssembly');

const includeDirs = [process.env.DNNL_ROOT && path.join(process.env.DNNL_ROOT, 'include'), '/usr/include', '/usr/local/include', '/opt/homebrew/include'].filter(Boolean);
if (!includeDirs.some((d) => existsSync(path.join(d, 'oneapi', 'dnnl', 'dnnl.hpp')))) {
  done(false, `not built: oneDNN's headers were not found; training uses WebAssembly (${HOW})`);
}

function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed locally
  }
  return candidates.find((c) => c && existsSync(c));
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) done(false, `not built: node-gyp was not found (it comes with npm); ${HOW}`);

const args = [nodeGyp, 'rebuild'];
if (process.env.npm_config_nodedir) args.push(`--nodedir=${process.env.npm_config_nodedir}`);
console.log('[native kernels] building native/onednn with node-gyp…');
const result = spawnSync(process.execPath, args, { cwd: addonDir, stdio: ['ignore', 'inherit', 'inherit'] });
if (result.status !== 0) done(false, `build failed (see above); training uses WebAssembly (${HOW})`);

const file = path.join(addonDir, 'build', 'Release', 'lab_onednn.node');
try {
  const addon = createRequire(import.meta.url)(file);
  done(true, `built ${path.relative(root, file)} (${addon.version()})`);
} catch (err) {
  done(false, `built, but it does not load: ${String(err?.message ?? err).split('\n')[0]}`);
}
