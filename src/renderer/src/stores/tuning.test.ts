import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { TrainConfigSchema } from '../../../shared/config';
import { TuneBudgetsSchema, type TuneState, type TuneStepResult } from '../../../shared/tuning';
import { setBridge } from '../api/bridge';
import { createFakeBridge, flush, type FakeBridge } from '../testing/fake-bridge';
import { epochLog } from '../testing/fixtures';
import { useTuningStore } from './tuning';

const state = (over: Partial<TuneState> = {}): TuneState => ({
  id: 't1',
  kind: 'guide',
  datasetId: 'ds1',
  datasetName: 'cats',
  status: 'running',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  config: TrainConfigSchema.parse({ datasetId: 'ds1' }),
  budgets: TuneBudgetsSchema.parse({}),
  steps: [1, 2],
  results: {},
  current: null,
  ...over,
});
const result = (step: 1 | 2, verdict: TuneStepResult['verdict']): TuneStepResult => ({
  step,
  title: `step ${step}`,
  verdict,
  numbers: { meanLoss: 0.7 },
  explanation: 'e',
  nextAction: 'n',
  causes: [],
  runIds: [],
  startedAt: '',
  finishedAt: '',
});

describe('tuning store', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = createFakeBridge();
    setBridge(bridge);
  });

  it('shows the started guide and fills in each step as its event arrives; a finished tune is re-read', async () => {
    let onDisk = state();
    bridge.on('tuning.start', () => state()).on('tuning.list', () => []).on('tuning.get', () => onDisk);
    const tuning = useTuningStore();
    const off = tuning.listen();
    await tuning.startGuide({ config: { datasetId: 'ds1' }, steps: [1, 2] });
    expect(tuning.current?.id).toBe('t1');
    expect(tuning.isLive).toBe(true);

    bridge.emit({ type: 'tune.step', tuneId: 't1', step: 1 });
    expect(tuning.liveStep).toBe(1);
    bridge.emit({ type: 'tune.step', tuneId: 't1', step: 1, result: result(1, 'pass') });
    expect(tuning.liveStep).toBeNull();
    expect((tuning.current as TuneState).results['1']?.verdict).toBe('pass');
    bridge.emit({ type: 'run.epoch', runId: 'r9', ...epochLog(3) });
    expect(tuning.liveEpoch?.runId).toBe('r9');
    // another tune's events do not touch the one on screen
    bridge.emit({ type: 'tune.step', tuneId: 'other', step: 2, result: result(2, 'fail') });
    expect((tuning.current as TuneState).results['2']).toBeUndefined();

    onDisk = state({ status: 'completed', results: { 1: result(1, 'pass'), 2: result(2, 'warn') } });
    bridge.emit({ type: 'tune.status', tuneId: 't1', status: 'completed' });
    await flush();
    expect(tuning.current?.status).toBe('completed');
    expect((tuning.current as TuneState).results['2']?.verdict).toBe('warn');
    expect(tuning.isLive).toBe(false);
    off();
  });
});
