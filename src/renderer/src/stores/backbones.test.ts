import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { LabError } from '../../../shared/errors';
import { setBridge } from '../api/bridge';
import { createFakeBridge, type FakeBridge } from '../testing/fake-bridge';
import { useBackbonesStore } from './backbones';
import { useErrorsStore } from './errors';

describe('backbones store', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = createFakeBridge();
    setBridge(bridge);
  });

  it('asks the engine for a backbone\'s cut layers once per backbone and size', async () => {
    bridge.on('models.cutLayers', () => [{ name: 'pool', className: 'GlobalAveragePooling2D', shape: [1280], isDefault: true }]);
    const s = useBackbonesStore();
    const list = await s.loadCutLayers('/models/tm', 224);
    expect(list?.[0]?.name).toBe('pool');
    await s.loadCutLayers('/models/tm', 224);
    expect(bridge.calls).toEqual([{ name: 'models.cutLayers', args: [{ backbone: '/models/tm', size: 224 }] }]);
  });

  it('shows the engine\'s message when the backbone cannot be loaded', async () => {
    bridge.on('models.cutLayers', () => {
      throw new LabError('NOT_FOUND', 'model.backbone: no model.json in /x; give a folder holding a tfjs layers model (model.json + weights).');
    });
    const s = useBackbonesStore();
    expect(await s.loadCutLayers('/x', 224)).toBeNull();
    expect(useErrorsStore().items[0]?.message).toContain('no model.json in /x');
  });
});
