// `npm run bench`: runs every bench/sections/*.ts that exports `section` (a BenchSection) and prints a table per
// section, or one JSON document with --json. Sections written as `bench*()` functions (no `section` export) are
// run with defaults and shown as one row.
//   npm run bench -- [--json] [--only training,augment] [--e2e] [--steps 10] [--profile] [--approaches wasm,cpu-fast]
import { readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findPeersDir } from './lib/peer';
import type { BenchArgs, BenchContext, BenchSection, Row, SectionResult } from './lib/section';
import { formatTable } from './lib/table';

function parseArgs(argv: string[]): BenchArgs {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) flags[k] = inline;
    else if (next !== undefined && !next.startsWith('--')) flags[k] = argv[++i]!;
    else flags[k] = 'true';
  }
  return {
    json: flags.json === 'true',
    e2e: flags.e2e === 'true',
    only: flags.only ? flags.only.split(',') : null,
    flags,
  };
}

type Module = Record<string, unknown>;

function asSection(file: string, mod: Module): BenchSection | null {
  const s = mod.section as BenchSection | undefined;
  if (s && typeof s.run === 'function') return s;
  const fnName = Object.keys(mod).find((k) => /^bench[A-Z]/.test(k) && typeof mod[k] === 'function');
  if (!fnName) return null;
  const fn = mod[fnName] as (opts: object) => Promise<Record<string, unknown>>;
  const name = path.basename(file).replace(/\.ts$/, '');
  return {
    name,
    description: `${fnName}() with its defaults`,
    async run(): Promise<SectionResult> {
      const result = await fn({});
      const row: Row = {};
      for (const [k, v] of Object.entries(result)) {
        row[k] = typeof v === 'number' ? Number(v.toFixed(2)) : typeof v === 'string' ? v : JSON.stringify(v);
      }
      return { rows: [row], json: result };
    },
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const here = path.dirname(fileURLToPath(import.meta.url));
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(line + '\n');
  const ctx: BenchContext = { args, peersDir: findPeersDir(), log };
  const files = readdirSync(path.join(here, 'sections'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort((a, b) => (a === 'training.ts' ? -1 : b === 'training.ts' ? 1 : a.localeCompare(b)));
  const header = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    loadavg: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  log(`bench ${header.date}  node ${header.node}  ${header.cpus}  load ${header.loadavg.join(' ')}`);
  const out: Record<string, unknown> = {};
  let failed = false;
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(here, 'sections', file)).href)) as Module;
    const section = asSection(file, mod);
    if (!section) {
      log(`skipped bench/sections/${file}: exports no \`section\` or bench*() function`);
      continue;
    }
    if (args.only && !args.only.includes(section.name)) continue;
    // The end-to-end sections (e2e, e2e-cli) train on 60,000 images: only when asked for.
    if (section.name.startsWith('e2e') && !args.e2e && !args.only?.includes(section.name)) continue;
    log(`\n== ${section.name}: ${section.description}`);
    try {
      const res = await section.run(ctx);
      out[section.name] = res.json;
      if (!args.json) log(formatTable(res.rows));
    } catch (err) {
      failed = true;
      out[section.name] = { error: String((err as Error).message ?? err) };
      log(`section ${section.name} failed: ${(err as Error).stack ?? String(err)}`);
    }
  }
  if (args.json) {
    process.stdout.write(JSON.stringify({ ...header, loadavgAfter: os.loadavg(), sections: out }, null, 2) + '\n');
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message ?? String(err)}\n`);
  process.exitCode = 2;
});
