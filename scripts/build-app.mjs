#!/usr/bin/env node
// Builds the lab's JavaScript (electron-vite: the Electron main process, the `lab` CLI, the processes they fork,
// the preload and the renderer that the app and `lab serve` show) into out/.
// `prepare` runs it on `npm install` in a checkout, so a fresh clone has a working `lab`; `prepack` runs it
// with --strict so a packed tarball always carries the build. Without the devDependencies (`--omit=dev`) it
// says what to do instead of failing the install; with --strict it fails.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const strict = process.argv.includes('--strict');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function done(ok, message) {
  console.log(`[build] ${message}`);
  process.exit(ok || !strict ? 0 : 1);
}

// `npm pack` / `npm publish` run prepare and then prepack: build once, in prepack.
if (!strict && ['pack', 'publish'].includes(process.env.npm_command ?? '')) done(true, 'left to prepack');

let cli;
try {
  const pkg = createRequire(path.join(root, 'package.json')).resolve('electron-vite/package.json');
  cli = path.join(path.dirname(pkg), 'bin', 'electron-vite.js');
} catch {
  done(false, 'not built: electron-vite (a devDependency) is not installed; run `npm install` with the devDependencies, then `npm run build:app`');
}
const result = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) done(false, 'electron-vite build failed (see above)');
if (!existsSync(path.join(root, 'out', 'main', 'cli.js'))) done(false, 'electron-vite build did not produce out/main/cli.js');
done(true, 'built out/ (app, `lab` CLI, workers, renderer)');
