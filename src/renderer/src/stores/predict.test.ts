import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { Prediction, PredictRequest } from '../../../shared/dto';
import { LabError } from '../../../shared/errors';
import { setBridge } from '../api/bridge';
import { createFakeBridge, deferred, flush, type FakeBridge } from '../testing/fake-bridge';
import { useErrorsStore } from './errors';
import { parsePaths, usePredictStore } from './predict';

const LABELS = ['circle', 'square', 'triangle'];

/** What the engine answers: every class in top (sorted), probabilities in label order; unreadable files get an error. */
function answer(req: PredictRequest): Prediction[] {
  return req.paths.map((path, n) => {
    if (path.endsWith('.txt')) return { path, top: [], error: { code: 'UNREADABLE', message: `Cannot read ${path}: not an image.` } };
    const probabilities = n % 2 === 0 ? [0.7, 0.2, 0.1] : [0.1, 0.25, 0.65];
    const top = probabilities
      .map((probability, i) => ({ label: LABELS[i]!, probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, req.topK ?? 3);
    return { path, top, probabilities, preview: 'data:image/png;base64,AAAA' };
  });
}

describe('predict store', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = createFakeBridge().on('models.predict', (req) => answer(req));
    setBridge(bridge);
  });

  it('puts results and per-file errors in state, showing the top-k the user chose', async () => {
    const store = usePredictStore();
    store.model = 'run1';
    store.pathsText = '/imgs/a.png\n\n  /imgs/b.png \n/imgs/notes.txt\n';
    store.topK = 2;
    store.multiCrop = true;
    expect(store.canPredict).toBe(true);
    await store.predict();

    const req = bridge.calls[0]!.args[0] as PredictRequest;
    expect(req.model).toBe('run1');
    expect(req.paths).toEqual(['/imgs/a.png', '/imgs/b.png', '/imgs/notes.txt']);
    expect(req.multiCrop).toBe(true);
    expect(req.preview).toBe(true);

    expect(store.results.map((r) => r.path)).toEqual(req.paths);
    expect(store.shown[0]!.top.map((t) => t.label)).toEqual(['circle', 'square']);
    expect(store.shown[1]!.top[0]).toEqual({ label: 'triangle', probability: 0.65 });
    expect(store.shown[1]!.preview).toMatch(/^data:image\/png/);
    expect(store.shown[2]!.error?.message).toContain('notes.txt');
    expect(store.errorCount).toBe(1);
    expect(store.labels).toEqual(LABELS);
  });

  it('builds a CSV with a header and one row per image, errors included', async () => {
    const store = usePredictStore();
    store.model = '/exports/shapes';
    store.pathsText = '/imgs/a.png\n/imgs/b, "quoted".png\n/imgs/notes.txt';
    await store.predict();
    const lines = store.csv().trimEnd().split('\r\n');
    expect(lines[0]).toBe('path,top1,probability,circle,square,triangle,error');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('/imgs/a.png,circle,0.7,0.7,0.2,0.1,');
    expect(lines[2]).toBe('"/imgs/b, ""quoted"".png",triangle,0.65,0.1,0.25,0.65,');
    expect(lines[3]).toMatch(/^\/imgs\/notes\.txt,,,,,,Cannot read/);
  });

  it('a failed call reports the error and shows no results', async () => {
    bridge.on('models.predict', () => {
      throw new LabError('NOT_FOUND', 'No model at "/nowhere": export a run first.');
    });
    const store = usePredictStore();
    store.model = '/nowhere';
    store.addPaths(['/imgs/a.png', '/imgs/a.png']);
    expect(store.paths).toEqual(['/imgs/a.png']);
    expect(await store.predict()).toBeNull();
    expect(store.results).toEqual([]);
    expect(store.lastError?.message).toContain('/nowhere');
    expect(useErrorsStore().items[0]?.context).toBe('predict');
    expect(store.predicting).toBe(false);
  });

  it('asks for heatmaps unless switched off; the opacity is a view setting that asks nothing of the engine', async () => {
    bridge.on('models.predict', (req) =>
      answer(req).map((p) => (p.error || !req.heatmap ? p : { ...p, heatmap: { label: p.top[0]!.label, layer: 'block2_act', heat: 'data:image/png;base64,HEAT', overlay: 'data:image/png;base64,OVER' } })),
    );
    const store = usePredictStore();
    store.model = 'run1';
    store.pathsText = '/imgs/a.png\n/imgs/notes.txt';
    await store.predict();
    expect((bridge.calls[0]!.args[0] as PredictRequest).heatmap).toBe(true);
    expect(store.hasHeatmaps).toBe(true);
    expect(store.shown.map((p) => p.heatmap?.label ?? null)).toEqual(['circle', null]);
    store.heatmapOpacity = 0.25;
    expect(bridge.calls).toHaveLength(1);
    store.heatmap = false;
    await store.predict();
    expect((bridge.calls[1]!.args[0] as PredictRequest).heatmap).toBe(false);
    expect(store.hasHeatmaps).toBe(false);
  });

  it('streams results and progress of its own call while it runs, then shows the full answer', async () => {
    const held = deferred<Prediction[]>();
    bridge.on('models.predict', () => held.promise);
    const store = usePredictStore();
    store.model = 'run1';
    store.pathsText = '/imgs/a.png\n/imgs/b.png\n/imgs/c.png';
    const running = store.predict();
    await flush();
    const req = bridge.calls[0]!.args[0] as PredictRequest;
    expect(req.jobId).toEqual(expect.any(String));
    const [a, b, c] = answer(req);
    // Another caller's events (a second window, the CLI) are not ours.
    bridge.emit({ type: 'predict.results', jobId: 'someone-else', results: [c!] });
    bridge.emit({ type: 'predict.progress', jobId: 'someone-else', done: 9, total: 10, ratePerS: 1 });
    expect(store.results).toEqual([]);
    expect(store.progress).toBeNull();
    bridge.emit({ type: 'predict.results', jobId: req.jobId, results: [a!, b!] });
    bridge.emit({ type: 'predict.progress', jobId: req.jobId, done: 2, total: 3, ratePerS: 4 });
    expect(store.results.map((r) => r.path)).toEqual(['/imgs/a.png', '/imgs/b.png']);
    expect(store.progress).toEqual({ done: 2, total: 3, ratePerS: 4, etaS: 0.25 });
    held.resolve([a!, b!, { ...c!, heatmap: { label: 'circle', layer: 'x', heat: 'h', overlay: 'o' } }]);
    await running;
    expect(store.results).toHaveLength(3);
    expect(store.results[2]!.heatmap?.label).toBe('circle');
    expect(store.progress).toBeNull();
    expect(store.predicting).toBe(false);
    expect(bridge.listenerCount()).toBe(0);
  });

  it('Cancel stops the call by its jobId and keeps what finished, without reporting an error', async () => {
    const held = deferred<Prediction[]>();
    bridge.on('models.predict', () => held.promise).on('models.cancelPredict', (id) => {
      held.reject(new LabError('CANCELLED', 'Prediction stopped after 1 of 3 images.'));
      return { cancelled: id === (bridge.calls[0]!.args[0] as PredictRequest).jobId };
    });
    const store = usePredictStore();
    store.model = 'run1';
    store.pathsText = '/imgs/a.png\n/imgs/b.png\n/imgs/c.png';
    const running = store.predict();
    await flush();
    const req = bridge.calls[0]!.args[0] as PredictRequest;
    bridge.emit({ type: 'predict.results', jobId: req.jobId, results: answer(req).slice(0, 1) });
    bridge.emit({ type: 'predict.progress', jobId: req.jobId, done: 1, total: 3, ratePerS: 2 });
    await store.cancel();
    expect(await running).toBeNull();
    expect(bridge.calls[1]).toEqual({ name: 'models.cancelPredict', args: [req.jobId] });
    expect(store.results.map((r) => r.path)).toEqual(['/imgs/a.png']);
    expect(store.cancelled).toEqual({ done: 1, total: 3 });
    expect(store.lastError).toBeNull();
    expect(useErrorsStore().items).toHaveLength(0);
    expect(store.predicting).toBe(false);
    // Nothing is running any more: Cancel asks nothing.
    await store.cancel();
    expect(bridge.calls).toHaveLength(2);
  });

  it('does not call the engine without a model or paths', async () => {
    const store = usePredictStore();
    store.pathsText = '/imgs/a.png';
    expect(store.canPredict).toBe(false);
    expect(await store.predict()).toBeNull();
    expect(bridge.calls).toHaveLength(0);
    expect(parsePaths(' \n')).toEqual([]);
  });
});
