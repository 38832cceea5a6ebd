/**
 * `lab tune <dataset> [--steps 1-6] [--resume id] [--budgets file|json]` runs the six-step guide;
 * `lab tune <dataset> --search grid|random --space file|json [--max-runs N] [--time S] [--epochs N]` a search.
 * Prints each step's verdict, numbers, explanation and next action (or, with --json, one event per line).
 */
import { existsSync, readFileSync } from 'node:fs';
import { LabError } from '../../../shared/errors';
import { diagnosisText } from '../../../shared/analysis/diagnosis-text';
import { formatMessage, isMessageCode, localize, msg, type Locale } from '../../../shared/messages';
import type { LabEvent } from '../../../shared/events';
import type { SearchRow, SearchState, TuneStepResult, TuningState } from '../../../shared/tuning';
import { rankRows } from '../../tuning/search/rank';
import { UsageError, type CliContext } from '../context';
import { resolveDataset } from '../dataset-arg';
import { buildTrainConfig, type TrainFlags } from '../train-config';

export type TuneFlags = TrainFlags & { steps?: string; resume?: string; budgets?: string; search?: string; space?: string; 'max-runs'?: string; time?: string; rerun?: string | boolean };

/** "1-6", "3", "1,2,5", "3-" → step numbers. */
export function parseSteps(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d)(?:\s*-\s*(\d)?)?$/.exec(part);
    if (!m) throw new UsageError(`--steps: "${part}" is not a step or range (use e.g. 1-6, 3, 1,2,5).`);
    const a = Number(m[1]);
    const b = part.includes('-') ? Number(m[2] ?? 6) : a;
    if (a < 1 || b > 6 || a > b) throw new UsageError(`--steps: "${part}" is outside 1–6.`);
    for (let s = a; s <= b; s++) out.add(s);
  }
  return [...out].sort();
}

function jsonArg(flag: string, value: string): unknown {
  const text = existsSync(value) ? readFileSync(value, 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new LabError('BAD_ARGUMENT', msg('error.cli.badJsonFlag', { flag, detail: (err as Error).message }));
  }
}

const fmtNum = (v: number | string | null): string => (v === null ? '–' : typeof v === 'string' ? v : Number.isInteger(v) ? String(v) : Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5 ? v.toExponential(2) : String(Number(v.toPrecision(4))));

/** A step's result for a person, in `locale` (the numbers' keys stay as they are in English, as in --json). */
export function describeStep(r: TuneStepResult, locale: Locale = 'en'): string {
  const say = (english: string, m: Parameters<typeof localize>[1]): string => localize(english, m, locale);
  const f = (m: ReturnType<typeof msg>): string => formatMessage(m, locale);
  const label = (k: string): string => (locale !== 'en' && isMessageCode(`tuning.number.${k}`) ? f({ code: `tuning.number.${k}` }) : k);
  const nums = Object.entries(r.numbers).map(([k, v]) => `${label(k)} ${fmtNum(v)}`).join(' · ');
  const head = f(msg('cli.step', { step: r.step, title: say(r.title, r.titleMsg), verdict: msg(`cli.verdict.${r.verdict}`) }));
  const lines = [head, `  ${nums}`, `  ${say(r.explanation, r.explanationMsg)}`];
  r.causes.forEach((c, i) => lines.push(`  - ${say(c, r.causeMsgs?.[i])}`));
  if (r.grid) {
    lines.push('  rank  lr         weight decay  val acc   val loss  status');
    for (const c of r.grid) lines.push(`  ${String(c.rank ?? '–').padEnd(5)} ${fmtNum(c.lr).padEnd(10)} ${fmtNum(c.weightDecay).padEnd(13)} ${c.valAccuracy === null ? '–'.padEnd(9) : `${(c.valAccuracy * 100).toFixed(1)} %`.padEnd(9)} ${fmtNum(c.valLoss).padEnd(9)} ${c.status}`);
  }
  if (r.diagnosis) lines.push(...diagnosisText(r.diagnosis, locale).split('\n').slice(1).map((l) => `  ${l}`)); // line 1 repeats the explanation
  lines.push(`  → ${say(r.nextAction, r.nextActionMsg)}`);
  if (r.runIds.length) lines.push(`  ${f(msg('cli.runs', { ids: r.runIds.join(', ') }))}`);
  return lines.join('\n');
}

export function describeSearch(s: SearchState): string {
  const rows = rankRows(s.rows);
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.setting)))];
  const head = ['#', ...keys, 'val acc', 'val loss', 'epochs', 'status'];
  const cell = (r: SearchRow, i: number): string[] => [
    String(i + 1),
    ...keys.map((k) => {
      const v = r.setting[k as keyof typeof r.setting];
      return v === undefined ? '–' : typeof v === 'number' ? fmtNum(v) : String(v);
    }),
    r.valAccuracy === null ? '–' : `${(r.valAccuracy * 100).toFixed(1)} %`,
    fmtNum(r.valLoss),
    String(r.epochsDone),
    r.status,
  ];
  const table = [head, ...rows.map(cell)];
  const widths = head.map((_, j) => Math.max(...table.map((row) => row[j]!.length)));
  return [`Search ${s.id} (${s.request.mode}, ${s.rows.length}/${s.planned} runs, ${s.stopReason ?? s.status}):`, ...table.map((row) => '  ' + row.map((c, j) => c.padEnd(widths[j]!)).join('  '))].join('\n');
}

async function follow(ctx: CliContext, start: TuningState): Promise<TuningState> {
  const id = start.id;
  const print = (e: LabEvent): void => {
    if (ctx.json) {
      if (e.type.startsWith('tune.') || e.type === 'run.epoch' || e.type === 'run.status') process.stdout.write(JSON.stringify(e) + '\n');
      return;
    }
    if (e.type === 'tune.step' && e.tuneId === id) {
      if (e.result) ctx.out.text(describeStep(e.result, ctx.locale) + '\n');
      else ctx.out.emit({ type: 'info', message: `Step ${e.step}…` });
    } else if (e.type === 'tune.row' && e.tuneId === id) {
      const r = e.row;
      ctx.out.emit({ type: 'info', message: `run ${e.index + 1}: ${JSON.stringify(r.setting)} → ${r.status}${r.valAccuracy === null ? '' : `, val acc ${(r.valAccuracy * 100).toFixed(1)} %`}${r.note ? ` (${r.note})` : ''}` });
    } else if (e.type === 'run.epoch') {
      const { type: _t, runId: _r, ...log } = e;
      ctx.out.emit({ type: 'epoch', ...log });
    }
  };
  const done = new Promise<void>((resolve) => {
    const off = ctx.service.onEvent((e) => {
      print(e);
      if (e.type === 'tune.status' && e.tuneId === id && e.status !== 'running') {
        off();
        resolve();
      }
    });
  });
  const onSigint = (): void => {
    ctx.out.emit({ type: 'info', message: `Stopping… finished steps are kept; continue with: lab tune <dataset> --resume ${id}` });
    void ctx.lab.call('tuning.stop', id);
  };
  process.once('SIGINT', onSigint);
  try {
    await done;
  } finally {
    process.off('SIGINT', onSigint);
  }
  return ctx.lab.call('tuning.get', id);
}

export async function tuneCommand(ctx: CliContext, positionals: string[], flags: TuneFlags): Promise<void> {
  const [dir] = positionals;
  if (!dir) throw new UsageError('lab tune needs a dataset folder (or the id of an imported dataset).');
  const dataset = await resolveDataset(ctx, dir);
  const config = await buildTrainConfig(dataset.id, flags.search ? flags : { ...flags, epochs: undefined });
  let state: TuningState;
  if (flags.search) {
    if (flags.search !== 'grid' && flags.search !== 'random') throw new UsageError('--search must be grid or random.');
    if (!flags.space) throw new UsageError('--search needs --space (JSON or a JSON file), e.g. \'{"lr":{"min":1e-4,"max":1e-1,"log":true},"weightDecay":[0,1e-4]}\'.');
    state = await ctx.lab.call('tuning.search', {
      config,
      mode: flags.search,
      space: jsonArg('space', flags.space) as never,
      ...(flags['max-runs'] ? { maxRuns: Number(flags['max-runs']) } : {}),
      ...(flags.time ? { timeBudgetS: Number(flags.time) } : {}),
      ...(flags.epochs ? { epochs: Number(flags.epochs) } : {}),
    });
  } else {
    state = await ctx.lab.call('tuning.start', {
      config,
      ...(flags.steps ? { steps: parseSteps(flags.steps) } : {}),
      ...(flags.budgets ? { budgets: jsonArg('budgets', flags.budgets) as never } : {}),
      ...(flags.resume ? { resumeId: flags.resume } : {}),
      // --rerun: run the --steps again even where they already have a result (re-run one step alone).
      ...(flags.rerun ? { rerun: true } : {}),
    });
  }
  ctx.out.emit({ type: 'info', message: `Tuning ${state.id} on "${dataset.name}" (state: ${ctx.service.ctx.ws.root}/tuning/${state.id}/state.json)` });
  const end = await follow(ctx, state);
  if (end.status === 'failed') throw end.error ? LabError.from(end.error) : new LabError('TRAINING_FAILED', msg('tuning.runFailed', { id: end.id }));
  if (end.kind === 'search') {
    ctx.out.emit({ type: 'result', tuneId: end.id, status: end.status, rows: rankRows(end.rows), stopReason: end.stopReason });
    ctx.out.text(describeSearch(end));
    return;
  }
  const results = end.steps.map((s) => end.results[`${s}`]).filter((r): r is TuneStepResult => r !== undefined);
  const halted = results.find((r) => r.verdict === 'fail');
  ctx.out.emit({ type: 'result', tuneId: end.id, status: end.status, steps: results.map((r) => ({ step: r.step, verdict: r.verdict, numbers: r.numbers, nextAction: r.nextAction, runIds: r.runIds })) });
  ctx.out.text(
    `Tuning ${end.id}: ${results.map((r) => `step ${r.step} ${r.verdict}`).join(', ')}` +
      (halted ? `\nHalted at step ${halted.step}: ${halted.nextAction}\nContinue with: lab tune ${dir} --resume ${end.id}` : ''),
  );
}
