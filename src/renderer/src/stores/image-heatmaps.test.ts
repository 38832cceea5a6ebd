import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../shared/errors';
import type { ExplainImagesRequest } from '../../../shared/live';
import { setBridge } from '../api/bridge';
import { createFakeBridge, type FakeBridge } from '../testing/fake-bridge';
import { useErrorsStore } from './errors';
import { useImageHeatmapsStore } from './image-heatmaps';

describe('image heatmaps store', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = createFakeBridge().on('runs.explain', (req: ExplainImagesRequest) =>
      req.images.map((im) => ({ index: im.index, preview: `p${im.index}`, heatmap: { label: im.label ?? '?', layer: 'conv', heat: `h${im.index}`, overlay: 'o' } })),
    );
    setBridge(bridge);
  });

  it('asks the engine once per image and class, in calls of at most 16 images', async () => {
    const store = useImageHeatmapsStore();
    const images = Array.from({ length: 20 }, (_, i) => ({ index: i, label: i % 2 ? 'cat' : 'dog' }));
    await Promise.all([store.ensure('run-1', images), store.ensure('run-1', images.slice(0, 5))]);
    const sizes = bridge.calls.map((c) => (c.args[0] as ExplainImagesRequest).images.length);
    expect(sizes).toEqual([16, 4]);
    expect(store.get('run-1', 3, 'cat')).toMatchObject({ preview: 'p3', heatmap: { label: 'cat', heat: 'h3' } });
    // Another class of the same image, or another run, is another heatmap.
    expect(store.get('run-1', 3, 'dog')).toBeUndefined();
    await store.ensure('run-1', [{ index: 3, label: 'dog' }, { index: 3, label: 'cat' }]);
    await store.ensure('run-2', [{ index: 3, label: 'cat' }]);
    expect(bridge.calls.slice(2).map((c) => c.args[0])).toEqual([
      { runId: 'run-1', images: [{ index: 3, label: 'dog' }] },
      { runId: 'run-2', images: [{ index: 3, label: 'cat' }] },
    ]);
  });

  it('reports a refusal and asks again next time', async () => {
    bridge.on('runs.explain', () => {
      throw new LabError('NOT_FOUND', 'The run has no model.');
    });
    const store = useImageHeatmapsStore();
    await store.ensure('run-1', [{ index: 0, label: 'cat' }]);
    expect(useErrorsStore().items[0]?.message).toBe('The run has no model.');
    await store.ensure('run-1', [{ index: 0, label: 'cat' }]);
    expect(bridge.calls).toHaveLength(2);
    expect(store.loading).toBe(0);
  });
});
