import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { setBridge } from '../api/bridge';
import { buildTrainConfig } from '../lib/train-form';
import { createFakeBridge, type FakeBridge } from '../testing/fake-bridge';
import { runDetail, runSummary } from '../testing/fixtures';
import { useRunsStore } from './runs';
import { useTrainFormStore } from './train-form';

describe('the Train form engine choice', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = createFakeBridge();
    setBridge(bridge);
    bridge.on('runs.start', () => runSummary({ status: 'queued' })).on('runs.get', () => runDetail({ status: 'queued' }));
  });

  // What TrainView's start() sends: the form's config and the engine choice beside it.
  const startFromForm = () => {
    const form = useTrainFormStore();
    return useRunsStore().start(buildTrainConfig({ ...form.form, datasetId: 'ds1' }), form.engineOptions);
  };
  const sent = () => bridge.calls.filter((c) => c.name === 'runs.start').at(-1)!.args;

  it("sends no engine options for the lab's own engine (the call stays as before)", async () => {
    await startFromForm();
    expect(sent()).toHaveLength(1);
  });

  it('sends a PyTorch job with its processes and device, started here', async () => {
    const form = useTrainFormStore();
    form.engine = { ...form.engine, engine: 'torch', processes: 2, device: 'cpu' };
    await startFromForm();
    const [config, engine] = sent();
    expect((config as { datasetId: string }).datasetId).toBe('ds1');
    expect(engine).toEqual({ engine: 'torch', processes: 2, device: 'cpu', launcher: 'local' });
  });

  it('a command template makes the lab run it per rank instead of starting the processes itself', async () => {
    const form = useTrainFormStore();
    form.engine = { engine: 'torch', processes: 4, device: 'cuda', commandTemplate: '  ssh gpu{rank} "python3 -m labjob run --job {jobDir} {resume}" ' };
    await startFromForm();
    expect(sent()[1]).toEqual({ engine: 'torch', processes: 4, device: 'cuda', launcher: 'template', commandTemplate: 'ssh gpu{rank} "python3 -m labjob run --job {jobDir} {resume}"' });
  });
});
