#!/usr/bin/env node
// `npm start` / `npm run dev`: starts the desktop app through electron-vite (`preview` or `dev`), after making sure
// the Electron binary is there. Electron (42 and later) has no install-time download: the binary is fetched on
// first launch. Where that fetch is impossible (no network, a proxy, a blocked host) this says in one paragraph
// what is missing and how to get it, instead of a stack trace from deep inside electron-vite.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const [mode = 'preview', ...rest] = process.argv.slice(2);

/** The installed Electron binary, or null; never downloads (requiring `electron` would). */
export function electronBinary() {
  let dir;
  try {
    dir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { version: null, binary: null };
  }
  const version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  const pathFile = path.join(dir, 'path.txt');
  const rel = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override ? path.join(override, rel ?? 'electron') : rel ? path.join(dir, 'dist', rel) : null;
  return { version, dir, binary: binary && existsSync(binary) ? binary : null };
}

function fail(paragraph) {
  console.error(paragraph.replace(/\s+/g, ' ').trim());
  process.exit(1);
}

let { version, dir, binary } = electronBinary();
if (!version) fail('The desktop app needs the `electron` package (a devDependency), which is not installed. Run `npm install` in the lab\'s folder (with the devDependencies), then try again. The same app runs in a browser without Electron: `npm run lab -- serve`.');

if (!binary) {
  console.log(`Fetching the Electron ${version} binary (first launch)…`);
  const fetch = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15 * 60_000 });
  ({ binary } = electronBinary());
  if (!binary) {
    const reason = `${fetch.stderr ?? ''}`.split('\n').map((l) => l.trim())
      .find((l) => l && !l.startsWith('at '))?.replace(/^[A-Za-z]*Error: /, '') ?? (fetch.error ? String(fetch.error.message) : `exit code ${fetch.status}`);
    const platform = `${process.platform}-${process.arch}`;
    fail(`The desktop app needs the Electron ${version} binary, which is not installed in ${path.join(dir, 'dist')} and could not be downloaded now (${reason}).
      To get it, run \`npx install-electron\` in the lab's folder where github.com is reachable, or set ELECTRON_MIRROR to a mirror you can reach,
      or copy electron-v${version}-${platform}.zip into Electron's download cache (~/.cache/electron on Linux) and run \`npm ${mode === 'dev' ? 'run dev' : 'start'}\` again;
      ELECTRON_OVERRIDE_DIST_PATH can also point at a folder holding an Electron ${version} build.
      Meanwhile the same app runs in your browser with \`npm run lab -- serve\`, and \`npm run demo\` trains without any window.`);
  }
}

if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
  fail('The desktop app needs a display, and neither DISPLAY nor WAYLAND_DISPLAY is set (a server or a container without a desktop). Start it from a desktop session, or under `xvfb-run npm start`; the same app runs in a browser with `npm run lab -- serve`.');
}

const cli = path.join(path.dirname(require.resolve('electron-vite/package.json')), 'bin', 'electron-vite.js');
const child = spawn(process.execPath, [cli, mode, ...rest], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
