#!/usr/bin/env node
// The `lab` command: runs the built CLI (out/main/cli.js, made by `npm install` in a checkout and shipped in the
// package), found from this file's location so it works from any directory. LAB_FROM_SOURCE=1 runs the TypeScript
// sources instead (a development checkout, through tsx, a devDependency).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
const source = fileURLToPath(new URL('../src/main/cli/index.ts', import.meta.url));

async function loadCli() {
  if (process.env.LAB_FROM_SOURCE === '1' && existsSync(source)) {
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(source).href);
  }
  if (existsSync(built)) return import(pathToFileURL(built).href);
  console.error(
    `The lab is not built: ${built} is missing. In ${root} run \`npm run build:app\` (it needs the devDependencies: ` +
      '`npm install` in a checkout builds it), or reinstall the lab package.',
  );
  process.exit(1);
}

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2));
