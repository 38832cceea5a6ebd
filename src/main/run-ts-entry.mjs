// Runs a TypeScript entry from the lab's sources (tests, development): `node run-ts-entry.mjs <entry.ts> [args]`,
// or as a worker thread's entry with the .ts file as its first argv. tsx is resolved from this file's location,
// so it works from any working directory; the built lab (out/main) never comes here.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';

const entry = process.argv[2];
if (!entry) throw new Error('run-ts-entry.mjs: the TypeScript entry to run is missing');
// The entry sees the arguments that follow it, as if it had been started directly.
process.argv.splice(2, 1);
register();
await import(pathToFileURL(entry).href);
