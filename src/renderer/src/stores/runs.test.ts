import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { effectScope } from 'vue';
import { LabError } from '../../../shared/errors';
import { setBridge } from '../api/bridge';
import { useLabEvents } from '../composables/use-lab-events';
import { createFakeBridge, deferred, flush, type FakeBridge } from '../testing/fake-bridge';
import { epochLog, runDetail, runSummary } from '../testing/fixtures';
import { useErrorsStore } from './errors';
import { useRunsStore } from './runs';

describe('runs store', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = createFakeBridge();
    setBridge(bridge);
  });

  it('starting a run shows it at once and appends live epochs and batches to it', async () => {
    bridge.on('runs.start', () => runSummary({ status: 'queued' })).on('runs.get', () => runDetail({ status: 'queued' }));
    const scope = effectScope();
    scope.run(() => useLabEvents(bridge));
    const runs = useRunsStore();

    await runs.start({ datasetId: 'ds1', epochs: 3 });
    expect(runs.current?.id).toBe('run1');
    expect(runs.current?.config.epochs).toBe(3);

    bridge.emit({ type: 'run.status', runId: 'run1', status: 'running' });
    bridge.emit({ type: 'run.batch', runId: 'run1', epoch: 1, batch: 1, batchesPerEpoch: 2, loss: 0.9, accuracy: 0.5, lr: 1e-3 });
    bridge.emit({ type: 'run.batch', runId: 'run1', epoch: 1, batch: 2, batchesPerEpoch: 2, loss: 0.8, accuracy: 0.55, lr: 1e-3 });
    bridge.emit({ type: 'run.epoch', runId: 'run1', ...epochLog(1) });
    await flush(); // the runs.get snapshot (empty logs) lands after the events and must not erase them
    bridge.emit({ type: 'run.epoch', runId: 'run1', ...epochLog(2, { valAccuracy: 0.9, bestEpoch: 2 }) });

    expect(runs.current?.status).toBe('running');
    expect(runs.current?.epochLogs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(runs.current?.batchLogs.map((b) => b.loss)).toEqual([0.9, 0.8]);
    expect(runs.bestEpoch).toBe(2);
    expect(runs.current?.bestValAccuracy).toBe(0.9);
    expect(runs.list[0]?.epochsDone).toBe(2);
    // events for another run do not leak into the one on screen
    bridge.emit({ type: 'run.epoch', runId: 'other', ...epochLog(3) });
    expect(runs.current?.epochLogs).toHaveLength(2);
    scope.stop();
  });

  it('a rename made in another window shows on the run page and in the list', async () => {
    bridge.on('runs.get', () => runDetail({ status: 'running', name: 'old name' })).on('runs.list', () => [runSummary({ name: 'old name' })]);
    const runs = useRunsStore();
    await runs.refreshList();
    await runs.open('run1');
    runs.handleEvent({ type: 'run.renamed', runId: 'run1', name: 'new name' });
    expect(runs.current?.name).toBe('new name');
    expect(runs.list[0]?.name).toBe('new name');
    runs.handleEvent({ type: 'run.renamed', runId: 'other', name: 'not this one' });
    expect(runs.current?.name).toBe('new name');
  });

  it('stops listening when the scope that subscribed ends', () => {
    const scope = effectScope();
    scope.run(() => useLabEvents(bridge));
    expect(bridge.listenerCount()).toBe(1);
    scope.stop();
    expect(bridge.listenerCount()).toBe(0);
  });

  it('keeps epochs that arrive before runs.start answers', async () => {
    const started = deferred<ReturnType<typeof runSummary>>();
    bridge.on('runs.start', () => started.promise).on('runs.get', () => runDetail());
    const runs = useRunsStore();
    const pending = runs.start({ datasetId: 'ds1' });
    runs.handleEvent({ type: 'run.epoch', runId: 'run1', ...epochLog(1) });
    started.resolve(runSummary());
    await pending;
    expect(runs.current?.epochLogs.map((e) => e.epoch)).toEqual([1]);
  });

  it('a snapshot from disk and live events merge without duplicates', async () => {
    bridge.on('runs.get', () => runDetail({ epochLogs: [epochLog(1), epochLog(2)], epochsDone: 2 }));
    const runs = useRunsStore();
    await runs.open('run1');
    runs.handleEvent({ type: 'run.epoch', runId: 'run1', ...epochLog(2, { loss: 0.123 }) });
    runs.handleEvent({ type: 'run.epoch', runId: 'run1', ...epochLog(3) });
    expect(runs.current?.epochLogs.map((e) => [e.epoch, e.loss])).toEqual([
      [1, 1],
      [2, 0.123],
      [3, 1 / 3],
    ]);
  });

  it('a failed run shows its error on the run itself', async () => {
    bridge.on('runs.get', () => runDetail());
    const runs = useRunsStore();
    await runs.open('run1');
    runs.handleEvent({
      type: 'run.status',
      runId: 'run1',
      status: 'failed',
      error: { code: 'TRAINING_FAILED', message: 'The training process exited unexpectedly (code 134).' },
    });
    expect(runs.current?.status).toBe('failed');
    expect(runs.current?.error?.message).toMatch(/exited unexpectedly/);
    expect(runs.isLive).toBe(false);
  });

  it('a refused start surfaces the engine message in the error panel', async () => {
    bridge.on('runs.start', () => {
      throw new LabError('BAD_CONFIG', 'Invalid train config: optimizer.lr: learning rate must be greater than 0.');
    });
    const runs = useRunsStore();
    const result = await runs.start({ datasetId: 'ds1' });
    expect(result).toBeNull();
    expect(runs.current).toBeNull();
    expect(runs.lastError?.code).toBe('BAD_CONFIG');
    const errors = useErrorsStore();
    expect(errors.items[0]?.message).toMatch(/optimizer\.lr/);
    expect(errors.items[0]?.context).toBe('startTraining');
  });

  it('pause, resume and stop go to the engine for the run on screen', async () => {
    bridge
      .on('runs.get', () => runDetail())
      .on('runs.pause', (id) => runSummary({ id, status: 'paused' }))
      .on('runs.resume', (id) => runSummary({ id, status: 'running' }))
      .on('runs.stop', (id) => runSummary({ id, status: 'stopped' }));
    const runs = useRunsStore();
    await runs.open('run1');
    await runs.pause();
    expect(runs.current?.status).toBe('paused');
    await runs.resume();
    expect(runs.current?.status).toBe('running');
    await runs.stop();
    expect(runs.current?.status).toBe('stopped');
    expect(bridge.calls.map((c) => c.name)).toEqual(['runs.get', 'runs.pause', 'runs.resume', 'runs.stop']);
  });

  it('export asks for tfjs and keeps the folder and files to show', async () => {
    bridge.on('runs.get', () => runDetail({ status: 'completed', hasModel: true })).on('runs.export', (req) => ({
      format: req.format ?? 'tfjs',
      dir: `/ws/exports/${req.runId}`,
      files: ['model.json', 'weights.bin', 'labels.json'],
    }));
    const runs = useRunsStore();
    await runs.open('run1');
    await runs.exportRun();
    expect(bridge.calls.at(-1)?.args).toEqual([{ runId: 'run1', format: 'tfjs', quantize: 'none' }]);
    expect(runs.exportResult?.dir).toBe('/ws/exports/run1');
    expect(runs.exportResult?.files).toContain('model.json');
  });

  it('shows the backend the training process chose as soon as it starts, not a guess made before', async () => {
    let backend = 'auto';
    bridge.on('runs.get', () => runDetail({ status: 'queued', backend }));
    const runs = useRunsStore();
    await runs.open('run1');
    expect(runs.current?.backend).toBe('auto');
    backend = 'CPU (oneDNN native kernels, all cores; WebAssembly for the rest)';
    runs.handleEvent({ type: 'run.status', runId: 'run1', status: 'running' });
    await flush();
    expect(runs.current?.backend).toBe(backend);
  });

  it('export passes the format and quantisation the dialog chose', async () => {
    bridge.on('runs.get', () => runDetail({ status: 'completed', hasModel: true })).on('runs.export', (req) => ({ format: req.format ?? 'tfjs', dir: `/ws/x`, files: ['model.onnx'] }));
    const runs = useRunsStore();
    await runs.open('run1');
    await runs.exportRun('onnx', undefined, 'float16');
    expect(bridge.calls.at(-1)?.args).toEqual([{ runId: 'run1', format: 'onnx', quantize: 'float16' }]);
  });

  it('thins batch points on long runs instead of growing without bound', async () => {
    bridge.on('runs.get', () => runDetail());
    const runs = useRunsStore();
    await runs.open('run1');
    for (let i = 1; i <= 5000; i++) {
      runs.handleEvent({ type: 'run.batch', runId: 'run1', epoch: 1, batch: i, batchesPerEpoch: 5000, loss: 1 / i, accuracy: 0, lr: 1e-3 });
    }
    const batches = runs.current!.batchLogs;
    expect(batches.length).toBeLessThanOrEqual(4000);
    expect(batches.at(-1)?.batch).toBe(5000); // the newest point is always kept
    expect(batches[0]?.batch).toBe(1);
  });
  it('fetches the details of runs to compare without replacing the run on screen; a refusal rejects with the engine message', async () => {
    bridge.on('runs.get', (id) => {
      if (id === 'gone') throw new LabError('NOT_FOUND', 'runs.get: no run gone');
      return runDetail({ id, name: `run ${id}`, status: 'completed' });
    });
    const runs = useRunsStore();
    await runs.open('a');
    const details = await runs.fetchDetails(['b', 'c']);
    expect(details.map((d) => [d.id, d.name])).toEqual([['b', 'run b'], ['c', 'run c']]);
    expect(runs.current?.id).toBe('a');
    expect(bridge.calls.filter((c) => c.name === 'runs.get').map((c) => c.args[0])).toEqual(['a', 'b', 'c']);
    await expect(runs.fetchDetails(['b', 'gone'])).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'runs.get: no run gone' });
    expect(runs.current?.id).toBe('a');
  });
  it('deleting a run removes it from the list and from the screen', async () => {
    bridge
      .on('runs.list', () => [runSummary({ id: 'a', status: 'completed' }), runSummary({ id: 'b', status: 'completed' })])
      .on('runs.get', (id) => runDetail({ id, status: 'completed' }))
      .on('runs.delete', () => ({ deleted: true }));
    const runs = useRunsStore();
    await runs.refreshList();
    await runs.open('a');
    await runs.remove('a');
    expect(runs.list.map((r) => r.id)).toEqual(['b']);
    expect(runs.current).toBeNull();
  });
  it('renaming updates the name in the list and on screen, keeping live progress; a refused name is shown and changes nothing', async () => {
    bridge
      .on('runs.list', () => [runSummary({ id: 'a' }), runSummary({ id: 'b', name: 'other' })])
      .on('runs.get', (id) => runDetail({ id, name: 'old' }))
      // The engine's answer is read from disk, a little behind the live events.
      .on('runs.rename', (id, name) => runSummary({ id, name: name.trim(), epochsDone: 0 }));
    const scope = effectScope();
    scope.run(() => useLabEvents(bridge));
    const runs = useRunsStore();
    await runs.refreshList();
    await runs.open('a');
    bridge.emit({ type: 'run.epoch', runId: 'a', ...epochLog(1) });

    expect((await runs.rename('a', '  adam baseline '))?.name).toBe('adam baseline');
    expect(bridge.calls.at(-1)).toEqual({ name: 'runs.rename', args: ['a', '  adam baseline '] });
    expect(runs.list.map((r) => r.name)).toEqual(['adam baseline', 'other']);
    expect(runs.current?.name).toBe('adam baseline');
    expect(runs.current?.epochLogs).toHaveLength(1);
    expect(runs.list[0]?.epochsDone).toBe(1);

    bridge.on('runs.rename', () => {
      throw new LabError('BAD_ARGUMENT', 'name: a run name must be 1 to 200 characters.');
    });
    expect(await runs.rename('a', '   ')).toBeNull();
    expect(useErrorsStore().items[0]).toMatchObject({ context: 'renameRun', message: 'name: a run name must be 1 to 200 characters.' });
    expect(runs.current?.name).toBe('adam baseline');
    scope.stop();
  });

  it('a config the schema refuses is reported naming the field, and nothing is sent', async () => {
    const runs = useRunsStore();
    expect(await runs.start({ datasetId: 'ds1', epochs: 0 })).toBeNull();
    expect(bridge.calls).toHaveLength(0);
    expect(runs.lastError?.code).toBe('BAD_CONFIG');
    expect(runs.lastError?.message).toMatch(/epochs/);
  });

  it('the report of the run on screen comes back with where the engine saved it; a failure is shown', async () => {
    bridge.on('runs.get', () => runDetail({ status: 'completed' })).on('runs.report', (id) => ({ file: `/ws/runs/${id}/report.html`, html: '<html>run 1</html>' }));
    const runs = useRunsStore();
    expect(await runs.report()).toBeNull(); // nothing on screen yet
    await runs.open('run1');
    expect(await runs.report()).toEqual({ file: '/ws/runs/run1/report.html', html: '<html>run 1</html>' });
    expect(runs.reporting).toBe(false);

    bridge.on('runs.report', () => {
      throw new LabError('NOT_FOUND', 'Run "run1" has no metrics yet.');
    });
    expect(await runs.report()).toBeNull();
    expect(useErrorsStore().items[0]).toMatchObject({ context: 'runReport', message: 'Run "run1" has no metrics yet.' });
  });

  it('Serve starts the prediction API for the open run and Stop ends it; a refusal is shown', async () => {
    const asked: unknown[] = [];
    bridge
      .on('runs.get', () => runDetail())
      .on('models.serve', (req) => (asked.push(req), { serving: true, url: 'http://127.0.0.1:5123', model: 'run1', labels: ['a', 'b'], tokenRequired: false }))
      .on('models.stopServing', () => ({ serving: false }));
    const runs = useRunsStore();
    await runs.open('run1');
    await runs.serveModel();
    expect(asked).toEqual([{ model: 'run1', port: 0 }]);
    expect(runs.serving).toMatchObject({ serving: true, url: 'http://127.0.0.1:5123' });
    await runs.stopServing();
    expect(runs.serving.serving).toBe(false);
    bridge.on('models.serve', () => {
      throw new LabError('BAD_ARGUMENT', 'Port 5123 is already in use; choose another with --port.');
    });
    expect(await runs.serveModel()).toBeNull();
    expect(useErrorsStore().items[0]).toMatchObject({ context: 'serveModel', message: expect.stringMatching(/already in use/) });
  });
});
