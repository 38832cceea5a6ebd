// Issue #16's "done when", measured through the `lab` command as a person would run it, on a NEW folder of colour
// photos with few images per class (bench/lib/photo-folder.ts with another seed than the transfer bench):
//   1. `lab train <dir>` with no options: which model it picks and why, how long the backbone pass and the 20 epochs
//      take (from the time each line of --json output arrives), and the test accuracy;
//   2. the default CNN (TrainConfigSchema's default model, the one `lab train` trained before `model: auto`; every
//      other setting the schema's default too) on the same folder, for its default 10 epochs and for 20;
//   3. a Teachable Machine export (../shared/fixtures/teachable-machine-2019) as the backbone, trained further on the
//      folder's classes.
// Each run uses its own temporary workspace (LAB_HOME), deleted afterwards; the photo folder is kept for reuse.
//   flock /tmp/heavy.lock npx tsx bench/photos-done-when.ts [--classes 16] [--per-class 20] [--data DIR] [--json]
//        [--runs auto,cnn,tm]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TrainConfigSchema } from '../src/shared/config';
import { ensurePhotoFolder } from './lib/photo-folder';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { classes: { type: 'string', default: '16' }, 'per-class': { type: 'string', default: '20' }, data: { type: 'string' }, json: { type: 'boolean', default: false }, runs: { type: 'string', default: 'auto,cnn,tm' } } });
const runs = new Set(values.runs.split(','));
const classes = Number(values.classes);
const perClass = Number(values['per-class']);
const data = await ensurePhotoFolder(path.resolve(values.data ?? path.join(os.tmpdir(), `lab-photos-new-${classes}x${perClass}`)), perClass, classes, 11);
const TM = path.resolve(root, '..', 'shared', 'fixtures', 'teachable-machine-2019');

interface Line {
  t: number;
  event: Record<string, unknown>;
}

/** Runs `lab train` (from source) in a fresh workspace; every --json line with the seconds since the start. */
function labTrain(args: string[]): Promise<{ lines: Line[]; code: number; wallS: number }> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'lab-done-when-'));
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'lab.js'), 'train', data, '--json', ...args], { env: { ...process.env, LAB_HOME: home, LAB_FROM_SOURCE: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Line[] = [];
    let rest = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const p of parts) if (p.startsWith('{')) lines.push({ t: (Date.now() - t0) / 1000, event: JSON.parse(p) as Record<string, unknown> });
    });
    child.on('close', (code) => {
      rmSync(home, { recursive: true, force: true });
      resolve({ lines, code: code ?? 1, wallS: (Date.now() - t0) / 1000 });
    });
  });
}

const r2 = (x: number | null | undefined): number | null => (x == null ? null : Math.round(x * 100) / 100);
const messages = (lines: Line[]) => lines.filter((l) => typeof l.event.message === 'string').map((l) => ({ t: l.t, message: l.event.message as string }));
const firstT = (lines: Line[], re: RegExp): number | null => messages(lines).find((m) => re.test(m.message))?.t ?? null;

function summarise(name: string, run: { lines: Line[]; code: number; wallS: number }) {
  const epochs = run.lines.filter((l) => l.event.type === 'epoch');
  const result = run.lines.find((l) => l.event.type === 'result')?.event ?? {};
  const computing = firstT(run.lines, /Computing the backbone/);
  const cached = firstT(run.lines, /embeddings are cached/i);
  const firstEpoch = epochs[0]?.t ?? null;
  const lastEpoch = epochs[epochs.length - 1]?.t ?? null;
  const perEpoch = epochs.map((e) => Number(e.event.durationS ?? 0));
  return {
    name,
    exit: run.code,
    wallS: r2(run.wallS),
    model: messages(run.lines).find((m) => m.message.startsWith('Model (auto)'))?.message ?? null,
    epochs: epochs.length,
    /** From "computing embeddings" to "embeddings are cached": the backbone's one pass over train + val. */
    backbonePassS: computing !== null && cached !== null ? r2(cached - computing) : null,
    /** The epochs as the run reports them (sum of each epoch's duration, validation included). */
    epochsS: r2(perEpoch.reduce((a, b) => a + b, 0)),
    /** From the end of the pass (or the run's start) to the last epoch event: epochs, checkpoints, events. */
    trainingS: lastEpoch !== null ? r2(lastEpoch - (cached ?? firstEpoch ?? 0) + (cached === null ? perEpoch[0] ?? 0 : 0)) : null,
    /** After the last epoch: saving the model, test evaluation (plain and five-crop), the report. */
    afterS: lastEpoch !== null ? r2(run.wallS - lastEpoch) : null,
    bestValAccuracy: result.bestValAccuracy ?? null,
    testAccuracy: result.testAccuracy ?? null,
  };
}

const cfgDir = mkdtempSync(path.join(os.tmpdir(), 'lab-done-when-cfg-'));
const cfg = (name: string, value: object): string => {
  const file = path.join(cfgDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(value));
  return file;
};
const out: ReturnType<typeof summarise>[] = [];
try {
  if (runs.has('auto')) out.push(summarise('lab train <dir> (no options)', await labTrain([])));
  // The schema's default model (the small CNN at 32 × 32 that `lab train` used before model: auto), named explicitly.
  const defaults = TrainConfigSchema.parse({ datasetId: 'defaults' });
  if (runs.has('cnn')) {
    out.push(summarise(`default CNN (${defaults.epochs} epochs, ${defaults.input.size} px)`, await labTrain(['--config', cfg('cnn', { model: defaults.model })])));
    out.push(summarise(`default CNN, 20 epochs`, await labTrain(['--config', cfg('cnn20', { model: defaults.model, epochs: 20 })])));
  }
  // At the export's own input size (224); a model given explicitly keeps the schema's default input otherwise.
  if (runs.has('tm') && existsSync(TM)) {
    const tm = { model: { kind: 'transfer', backbone: TM }, input: { size: 224, channels: 3 }, epochs: 20 };
    out.push(summarise('Teachable Machine 2019 export trained further (224 px)', await labTrain(['--config', cfg('tm', tm)])));
  }
} finally {
  rmSync(cfgDir, { recursive: true, force: true });
}
if (values.json) process.stdout.write(JSON.stringify({ data, classes, perClass, loadavg: os.loadavg(), runs: out }, null, 2) + '\n');
else {
  process.stdout.write(`folder ${data}: ${classes} classes × ${perClass} colour JPEGs (256–400 px); load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  for (const r of out) process.stdout.write(JSON.stringify(r) + '\n');
}
