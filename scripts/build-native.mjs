#!/usr/bin/env node
// Builds the optional native kernels (native/onednn, linked against oneDNN) with node-gyp.
// Runs from `postinstall` and never fails the install: without a compiler or oneDNN's headers it says what to
// install and the lab trains on WebAssembly instead. `--strict` (CI, after installing the packages) fails loudly.
// After a build, the oneDNN shared library the addon links is copied beside it with its licence notice (the addon
// is linked with rpath $ORIGIN), so the packaged app carries it. The outcome is written to
// native/onednn/build/status.json: the lab reads the reason from there when it falls back to WebAssembly.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.argv.includes('--strict');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const addonDir = path.join(root, 'native', 'onednn');
const HOW = 'to build them: `apt-get install g++ libdnnl-dev` (Debian/Ubuntu), then `npm run build:native`';

/** oneDNN majors whose C++ API the addon is written against (oneDNN 3 changed memory descriptors and primitive descriptors). */
const SUPPORTED_MAJORS = [2];

function done(ok, message, extra = {}) {
  console.log(`[native kernels] ${message}`);
  try {
    mkdirSync(path.join(addonDir, 'build'), { recursive: true });
    writeFileSync(path.join(addonDir, 'build', 'status.json'), `${JSON.stringify({ built: ok, message, ...extra }, null, 2)}\n`);
  } catch {
    // a read-only install: the message above is all there is
  }
  process.exit(ok || !strict ? 0 : 1);
}

/** DNNL_VERSION_MAJOR/MINOR/PATCH from the installed headers. */
function headerVersion(includeDir) {
  const text = readFileSync(path.join(includeDir, 'oneapi', 'dnnl', 'dnnl_version.h'), 'utf8');
  const part = (name) => Number(new RegExp(`#define\\s+DNNL_VERSION_${name}\\s+(\\d+)`).exec(text)?.[1]);
  return { major: part('MAJOR'), text: `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` };
}

/**
 * Copies the libdnnl the addon links (as `ldd` resolves it) beside the addon under its soname, with the licence
 * notice from the distribution's package docs. Linux only; returns what it copied, or why not.
 */
function bundleOneDnn(addonFile) {
  if (process.platform !== 'linux') return { bundled: false, why: 'bundling libdnnl is done on Linux only' };
  const ldd = spawnSync('ldd', [addonFile], { encoding: 'utf8' });
  const line = /^\s*(libdnnl\.so[.\d]*)\s+=>\s+(\S+)/m.exec(ldd.stdout ?? '');
  if (!line) return { bundled: false, why: 'ldd did not show libdnnl' };
  const [, soname, resolved] = line;
  const outDir = path.dirname(addonFile);
  if (path.dirname(resolved) === outDir) return { bundled: true, library: path.join(outDir, soname), from: resolved };
  copyFileSync(realpathSync(resolved), path.join(outDir, soname));
  const docDirs = existsSync('/usr/share/doc') ? readdirSync('/usr/share/doc').filter((d) => /^libdnnl/.test(d)).sort() : [];
  const notice = docDirs.map((d) => path.join('/usr/share/doc', d, 'copyright')).find((f) => existsSync(f));
  if (notice) copyFileSync(notice, path.join(outDir, 'oneDNN-LICENSE.txt'));
  else writeFileSync(path.join(outDir, 'oneDNN-LICENSE.txt'), 'oneDNN (https://github.com/oneapi-src/oneDNN) is licensed under the Apache License 2.0.\n');
  return { bundled: true, library: path.join(outDir, soname), from: realpathSync(resolved) };
}

if (process.env.LAB_SKIP_NATIVE === '1') done(true, 'skipped: LAB_SKIP_NATIVE=1', { built: false, reason: 'skipped' });
if (process.platform === 'win32') done(false, 'not built on Windows yet; training uses WebAssembly', { reason: 'platform' });

const includeDirs = [process.env.DNNL_ROOT && path.join(process.env.DNNL_ROOT, 'include'), '/usr/include', '/usr/local/include', '/opt/homebrew/include'].filter(Boolean);
const includeDir = includeDirs.find((d) => existsSync(path.join(d, 'oneapi', 'dnnl', 'dnnl.hpp')));
if (!includeDir) done(false, `not built: oneDNN's headers were not found; training uses WebAssembly (${HOW})`, { reason: 'no-headers' });
const onednn = headerVersion(includeDir);
if (!SUPPORTED_MAJORS.includes(onednn.major)) {
  done(
    false,
    `not built: oneDNN ${onednn.text} is installed (${includeDir}), and the native kernels are written for oneDNN ${SUPPORTED_MAJORS.join(', ')}.x; ` +
      'training uses WebAssembly. Install oneDNN 2 (e.g. Debian 12 `apt-get install libdnnl-dev`, or a oneDNN 2.x build with DNNL_ROOT set to it), then `npm run build:native`.',
    { reason: 'unsupported-major', onednn: onednn.text },
  );
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
if (!nodeGyp) done(false, `not built: node-gyp was not found (it comes with npm); ${HOW}`, { reason: 'no-node-gyp' });

const args = [nodeGyp, 'rebuild'];
// Node's own headers when they are installed beside it (Debian's nodejs, the official tarballs): node-gyp then
// needs no download of them.
const bundledHeaders = path.resolve(path.dirname(process.execPath), '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(path.join(bundledHeaders, 'include', 'node', 'node_api.h')) ? bundledHeaders : null);
if (nodedir) args.push(`--nodedir=${nodedir}`);
console.log('[native kernels] building native/onednn with node-gyp…');
const result = spawnSync(process.execPath, args, { cwd: addonDir, stdio: ['ignore', 'inherit', 'inherit'] });
if (result.status !== 0) done(false, `build failed (see above); training uses WebAssembly (${HOW})`, { reason: 'build-failed', onednn: onednn.text });

const file = path.join(addonDir, 'build', 'Release', 'lab_onednn.node');
let bundle;
try {
  bundle = bundleOneDnn(file);
} catch (err) {
  bundle = { bundled: false, why: String(err?.message ?? err) };
}
const beside = bundle.bundled ? `; ${path.basename(bundle.library)} copied beside it from ${bundle.from}` : ` (oneDNN not copied beside it: ${bundle.why})`;
try {
  const addon = createRequire(import.meta.url)(file);
  done(true, `built ${path.relative(root, file)} (${addon.version()})${beside}`, { onednn: onednn.text, bundled: bundle.bundled });
} catch (err) {
  done(false, `built, but it does not load: ${String(err?.message ?? err).split('\n')[0]}`, { reason: 'does-not-load', onednn: onednn.text });
}
