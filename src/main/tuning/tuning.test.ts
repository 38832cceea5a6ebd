import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainConfigInput } from '../../shared/config';
import { TuneRequestSchema, SearchRequestSchema, type TuneState, type TuneRequestInput } from '../../shared/tuning';
import { listRuns, readRun } from '../runs';
import { parseTrainConfig } from '../training';
import { syntheticImages } from '../training/synthetic-data';
import { trainRun } from '../training';
import { openWorkspace, type Workspace } from '../workspace';
import type { LabEvent } from '../../shared/events';
import { tuneContext } from './job';
import { trainTagged } from './tagged-run';
import { newTuneState, pendingSteps, runGuide } from './guide';
import { newSearchState, runSearch } from './search/run-search';
import { planSettings } from './search/space';
import { readTuneState } from './state-store';
import { initialLossCheck } from './steps/initial-loss';
import { overfitSmallSample } from './steps/overfit-sample';
import { lrRangeTest } from './steps/lr-range';
import type { TuneData } from './context';

const train = syntheticImages({ n: 60, classes: 3, seed: 1 });
const val = syntheticImages({ n: 24, classes: 3, seed: 2 });
const data: TuneData = { train, val, datasetName: 'synthetic', fingerprint: 'synthetic@1' };

const baseConfig = (over: Partial<TrainConfigInput> = {}): TrainConfigInput => ({
  datasetId: 'synthetic',
  input: { size: 8, channels: 1 },
  model: { kind: 'mlp', hidden: [{ units: 16, dropout: 0 }] },
  optimizer: { name: 'adam', lr: 0.01 },
  batchSize: 16,
  seed: 3,
  ...over,
});

const tinyBudgets = {
  overfitPerClass: 5,
  overfitMaxEpochs: 60,
  rangeIterations: 80,
  gridEpochs: 2,
  refineEpochs: 5,
  refinePatience: 3,
};

function setup(request: TuneRequestInput): { ws: Workspace; state: TuneState; events: LabEvent[]; ctx: ReturnType<typeof tuneContext> } {
  const ws = openWorkspace(mkdtempSync(path.join(os.tmpdir(), 'tune-')));
  const req = TuneRequestSchema.parse(request);
  const state = newTuneState('tune-test', req, data.datasetName);
  const events: LabEvent[] = [];
  const ctx = tuneContext(ws, state, data, { emit: (e) => events.push(e) }, 'cpu');
  return { ws, state, events, ctx };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('step 1: initial loss', () => {
  it('passes with correct preprocessing and flags inputs ×255', async () => {
    const { ctx } = setup({ config: baseConfig() });
    const ok = await initialLossCheck(ctx);
    expect(ok.verdict).toBe('pass');
    expect(ok.numbers.expectedLoss).toBeCloseTo(Math.log(3), 6);
    expect(Math.abs((ok.numbers.meanLoss as number) - Math.log(3))).toBeLessThan(0.25 * Math.log(3));

    const broken = await initialLossCheck(ctx, {
      toInput: (x, n, s, ch) => tf.tensor4d(Float32Array.from(x), [n, s, s, ch]), // pixels 0–255, not scaled
    });
    expect(broken.verdict).toBe('fail');
    expect(broken.numbers.inputMax as number).toBeGreaterThan(100);
    expect(broken.causes[0]).toMatch(/^Preprocessing/);
    expect(broken.nextAction).toMatch(/preprocessing/);
  });
});

describe('step 2: overfit a small sample', () => {
  it('reaches 100 % training accuracy on 5 images per class', async () => {
    const { ctx, ws } = setup({ config: baseConfig(), budgets: tinyBudgets });
    const r = await overfitSmallSample(ctx);
    expect(r.verdict).toBe('pass');
    expect(r.numbers.trainAccuracy).toBe(1);
    expect(r.numbers.images).toBe(15);
    expect(r.numbers.epochsNeeded as number).toBeLessThan(60);
    const run = await readRun(ws, r.runIds[0]!);
    // its validation split is the sample itself: the run says so, and the Runs list labels it training accuracy
    expect(run.tags).toEqual(expect.arrayContaining(['tune:tune-test', 'step:2', 'val:training-sample']));
    expect(run.status).toBe('completed');
  });

  it('reports divergence at learning rate 10 with its causes', async () => {
    const { ctx, ws } = setup({ config: baseConfig({ optimizer: { name: 'sgd', lr: 10 } }), budgets: tinyBudgets });
    const r = await overfitSmallSample(ctx);
    expect(r.verdict).toBe('fail');
    expect(r.explanation).toMatch(/NaN\/Inf|exploded/);
    expect(r.numbers.divergedAtEpoch as number).toBeGreaterThanOrEqual(1);
    expect(r.causes.join(' ')).toMatch(/Learning rate too large/);
    expect(r.causes.join(' ')).toMatch(/Inputs out of range/);
    expect((await readRun(ws, r.runIds[0]!)).status).toMatch(/^(failed|stopped)$/);
  });
});

describe('step 3: LR range test', () => {
  it('suggests a rate within a decade of the best of a short sweep of real trainings', async () => {
    // Known good LR: the lowest training loss after 3 epochs among 1e-4 … 1e-1 (same model, data and seed).
    const candidates = [1e-4, 1e-3, 1e-2, 1e-1];
    const finals: number[] = [];
    for (const lr of candidates) {
      const config = parseTrainConfig(baseConfig({ optimizer: { name: 'adam', lr }, epochs: 3, earlyStopping: { enabled: false } }));
      let last = NaN;
      const res = await trainRun({ config, train, val: null, runDir: mkdtempSync(path.join(os.tmpdir(), 'tune-lr-')), hooks: { onBatch: () => undefined, onEpoch: (e) => (last = e.loss), onLog: () => undefined } });
      res.model.dispose();
      finals.push(last);
    }
    const known = candidates[finals.indexOf(Math.min(...finals))]!;

    const { ctx } = setup({ config: baseConfig(), budgets: tinyBudgets });
    const r = await lrRangeTest(ctx);
    expect(r.verdict).toBe('pass');
    const suggested = r.lrRange!.suggestedLr!;
    expect(Math.abs(Math.log10(suggested) - Math.log10(known))).toBeLessThanOrEqual(1);
    expect(r.explanation).toMatch(/falls fastest/);
    // Points run from the range's start upward on a log scale; the explosion, when marked, lies above the suggestion.
    expect(r.lrRange!.points[0]!.lr).toBeCloseTo(1e-5, 10);
    if (r.lrRange!.explosionLr !== null) expect(r.lrRange!.explosionLr).toBeGreaterThan(suggested);
  });

  it('applies the run\'s gradient clipping (the sweep trains with the same step as every run)', async () => {
    // Plain SGD: clipping the global gradient norm to 1e-6 leaves the weights where they started, so the clipped
    // sweep (LR 0.01 → 10) must score every batch as a sweep at a negligible LR does; unclipped, it moves away.
    const sweep = async (clipNorm: number | null, rangeMinLr: number, rangeMaxLr: number) => {
      const cfg = parseTrainConfig(baseConfig({ optimizer: { name: 'sgd', lr: 0.01 }, clipNorm }));
      const { ctx } = setup({ config: cfg, budgets: { ...tinyBudgets, rangeIterations: 30, rangeMinLr, rangeMaxLr } });
      return (await lrRangeTest(ctx)).lrRange!.points.map((p) => p.loss);
    };
    const frozen = await sweep(null, 1e-9, 1e-8);
    const clipped = await sweep(1e-6, 1e-2, 10);
    const free = await sweep(null, 1e-2, 10);
    expect(clipped).toHaveLength(frozen.length);
    clipped.forEach((l, i) => expect(l).toBeCloseTo(frozen[i]!, 3));
    const moved = free.map((l, i) => (Number.isFinite(l) ? Math.abs(l - frozen[i]!) : Infinity));
    expect(Math.max(...moved)).toBeGreaterThan(0.1);
  });
});

describe('tagged runs', () => {
  it('train with the run\'s augmentation, as any run does', async () => {
    const losses = async (augmentation: TrainConfigInput['augmentation']) => {
      const { ctx } = setup({ config: baseConfig({ augmentation, epochs: 1 }), budgets: tinyBudgets });
      const run = await trainTagged(ctx, { config: parseTrainConfig(baseConfig({ augmentation, epochs: 1 })), tags: ['step:4'], val: null });
      return run.epochs.map((e) => e.loss);
    };
    const plain = await losses({ preset: 'none' });
    expect(await losses({ preset: 'none' })).toEqual(plain);
    expect(await losses({ preset: 'strong' })).not.toEqual(plain);
  });
});

describe('steps 4–6 and resume', () => {
  it('grid → refine → diagnosis ends with a ranked table and a diagnosis', async () => {
    const { ctx, ws, state, events } = setup({ config: baseConfig(), steps: [4, 5, 6], budgets: { ...tinyBudgets, gridWeightDecays: [0, 1e-4] } });
    const done = await runGuide(ctx, state);
    expect(done.status).toBe('completed');
    const grid = done.results['4']!.grid!;
    expect(grid).toHaveLength(6);
    expect(grid.map((c) => c.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    for (let i = 1; i < grid.length; i++) expect(grid[i - 1]!.valAccuracy!).toBeGreaterThanOrEqual(grid[i]!.valAccuracy!);
    const s5 = done.results['5']!;
    expect(s5.numbers.lr).toBe(grid[0]!.lr);
    expect(s5.numbers.epochsDone as number).toBeGreaterThanOrEqual(3);
    const s6 = done.results['6']!;
    expect(s6.diagnosis?.kind).toBeDefined();
    expect(s6.diagnosis!.text.length).toBeGreaterThan(10);
    expect(s6.runIds[0]).toBe(s5.runIds[0]);
    const runs = await listRuns(ws);
    expect(runs.filter((r) => r.tags.includes('step:4'))).toHaveLength(6);
    expect(runs.filter((r) => r.tags.includes('step:5'))).toHaveLength(1);
    expect(events.filter((e) => e.type === 'tune.step' && e.result).map((e) => (e as { step: number }).step)).toEqual([4, 5, 6]);
  });

  it('resumes after a kill at the next unfinished step without redoing steps 1–2', async () => {
    const { ctx, ws, state } = setup({ config: baseConfig(), steps: [1, 2], budgets: tinyBudgets });
    await runGuide(ctx, state);
    // "Kill": forget everything in memory, reload from disk, ask for steps 1–3.
    const reloaded = readTuneState(ws, state.id) as TuneState;
    expect(Object.keys(reloaded.results)).toEqual(['1', '2']);
    const before = { s1: reloaded.results['1']!.finishedAt, s2: reloaded.results['2']!.finishedAt };
    reloaded.steps = [1, 2, 3];
    expect(pendingSteps(reloaded, false)).toEqual([3]);
    const events: LabEvent[] = [];
    const ctx2 = tuneContext(ws, reloaded, data, { emit: (e) => events.push(e) }, 'cpu');
    const done = await runGuide(ctx2, reloaded);
    expect(done.results['1']!.finishedAt).toBe(before.s1);
    expect(done.results['2']!.finishedAt).toBe(before.s2);
    expect(done.results['3']!.verdict).toBe('pass');
    expect(events.filter((e) => e.type === 'tune.step').map((e) => (e as { step: number }).step)).toEqual([3, 3]);
    const runs = await listRuns(ws);
    expect(runs.filter((r) => r.tags.includes('step:2'))).toHaveLength(1);
    expect((readTuneState(ws, state.id) as TuneState).results['3']).toBeDefined();
  });
});

describe('step 4 resume', () => {
  it('keeps the grid cells trained before a stop and trains only the rest', async () => {
    const ws = openWorkspace(mkdtempSync(path.join(os.tmpdir(), 'tune-')));
    const req = TuneRequestSchema.parse({ config: baseConfig(), steps: [4], budgets: { ...tinyBudgets, gridEpochs: 1, gridWeightDecays: [0, 1e-4] } });
    const state = newTuneState('tune-grid', req, data.datasetName);
    const abort = new AbortController();
    let finished = 0;
    const ctx = tuneContext(ws, state, data, {
      emit: (e) => {
        if (e.type === 'run.status' && e.status === 'completed' && ++finished === 2) abort.abort();
      },
      signal: abort.signal,
    }, 'cpu');
    const stopped = await runGuide(ctx, state);
    expect(stopped.status).toBe('stopped');
    const onDisk = readTuneState(ws, state.id) as TuneState;
    expect(onDisk.results['4']).toBeUndefined();
    expect(onDisk.partialGrid).toHaveLength(2);
    const kept = onDisk.partialGrid!.map((c) => c.runId);

    const ctx2 = tuneContext(ws, onDisk, data, { emit: () => undefined }, 'cpu');
    const done = await runGuide(ctx2, onDisk);
    expect(done.results['4']!.grid).toHaveLength(6);
    expect(done.results['4']!.grid!.map((c) => c.runId)).toEqual(expect.arrayContaining(kept));
    expect(done.partialGrid).toBeUndefined();
    expect((await listRuns(ws)).filter((r) => r.tags.includes('step:4') && r.status === 'completed')).toHaveLength(6);
  });
});

describe('search', () => {
  it('plans grid and seeded random settings within the budget', () => {
    const grid = planSettings(SearchRequestSchema.parse({ config: baseConfig(), mode: 'grid', space: { lr: [1e-3, 1e-2], optimizer: ['sgd', 'adam'], width: [1, 2] } }), 100);
    expect(grid).toHaveLength(8);
    const a = planSettings(SearchRequestSchema.parse({ config: baseConfig(), mode: 'random', seed: 5, space: { lr: { min: 1e-4, max: 1e-1, log: true } } }), 5);
    const b = planSettings(SearchRequestSchema.parse({ config: baseConfig(), mode: 'random', seed: 5, space: { lr: { min: 1e-4, max: 1e-1, log: true } } }), 5);
    expect(a).toEqual(b);
    for (const s of a) expect(s.lr as number).toBeGreaterThanOrEqual(1e-4);
  });

  it('runs a grid, marks the diverging setting and keeps one row per run', async () => {
    const ws = openWorkspace(mkdtempSync(path.join(os.tmpdir(), 'search-')));
    const req = SearchRequestSchema.parse({
      config: baseConfig({ optimizer: { name: 'sgd', lr: 0.1 } }),
      mode: 'grid',
      space: { lr: [0.3, 10], dropout: [0, 0.3] },
      epochs: 3,
      maxRuns: 3,
    });
    const state = newSearchState('search-test', req, 'synthetic');
    const ctx = tuneContext(ws, state, data, { emit: () => undefined }, 'cpu');
    const done = await runSearch(ctx, state);
    expect(done.rows).toHaveLength(3);
    expect(done.stopReason).toBe('max-runs');
    const diverged = done.rows.filter((r) => r.setting.lr === 10);
    expect(diverged.length).toBeGreaterThan(0);
    for (const r of diverged) expect(['diverged', 'terminated']).toContain(r.status);
    const good = done.rows.filter((r) => r.setting.lr === 0.3);
    for (const r of good) expect(r.valAccuracy!).toBeGreaterThan(0.5);
    const runs = await listRuns(ws);
    expect(runs.filter((r) => r.tags.includes('search:search-test'))).toHaveLength(3);
  });
});
