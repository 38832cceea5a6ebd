import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { LabError } from '../../../shared/errors';
import { setBridge } from '../api/bridge';
import type { BackboneInfo } from '../../../shared/dto';
import { createFakeBridge, deferred, flush, type FakeBridge } from '../testing/fake-bridge';
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

  const entry = (state: BackboneInfo['state']): BackboneInfo => ({
    backbone: 'catalog:mobilenet-v1-0.25-224',
    id: 'mobilenet-v1-0.25-224',
    name: { en: 'MobileNet v1 α0.25', 'zh-CN': 'MobileNet v1 α0.25' },
    state,
    inputSize: 224,
    channels: 3,
    scaling: 'symmetric',
    defaultCut: 'conv_pw_13_relu',
    approxBytes: 2_000_000,
    url: 'https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_0.25_224/model.json',
    userAdded: false,
  });

  it('downloads a catalogue backbone with live progress of its own job, then lists it as downloaded', async () => {
    bridge.on('backbones.list', () => [entry('missing')]);
    const answer = deferred<BackboneInfo>();
    bridge.on('backbones.fetch', () => answer.promise);
    const s = useBackbonesStore();
    await s.loadList();
    const done = s.fetchBackbone('mobilenet-v1-0.25-224');
    await flush();
    const jobId = s.download!.jobId;
    bridge.emit({ type: 'backbone.progress', jobId: 'someone-else', id: 'x', done: 9, total: 9 });
    bridge.emit({ type: 'backbone.progress', jobId, id: 'mobilenet-v1-0.25-224', done: 500_000, total: 2_000_000 });
    expect(s.download).toMatchObject({ done: 500_000, total: 2_000_000 });
    answer.resolve(entry('downloaded'));
    expect(await done).toBe(true);
    expect(s.download).toBeNull();
    expect(s.list[0]!.state).toBe('downloaded');
    expect(bridge.listenerCount()).toBe(0);
    expect(bridge.calls.find((c) => c.name === 'backbones.fetch')?.args).toEqual([{ id: 'mobilenet-v1-0.25-224', jobId }]);
  });

  it('Cancel stops the job by its id and is not shown as an error; offline shows the engine\'s message', async () => {
    bridge.on('backbones.list', () => [entry('partial')]);
    const answer = deferred<BackboneInfo>();
    bridge.on('backbones.fetch', () => answer.promise);
    bridge.on('backbones.cancelFetch', () => {
      answer.reject(new LabError('CANCELLED', 'The download of the backbone "mobilenet-v1-0.25-224" was cancelled'));
      return { cancelled: true };
    });
    const s = useBackbonesStore();
    const first = s.fetchBackbone('mobilenet-v1-0.25-224');
    await flush();
    const jobId = s.download!.jobId;
    await s.cancelDownload();
    expect(await first).toBe(false);
    expect(bridge.calls.find((c) => c.name === 'backbones.cancelFetch')?.args).toEqual([jobId]);
    expect(s.lastDownload).toBe('cancelled');
    expect(s.downloadError).toBeNull();

    bridge.on('backbones.fetch', () => {
      throw new LabError('UNREADABLE', 'The backbone "mobilenet-v1-0.25-224" could not be downloaded from https://storage.googleapis.com/… (fetch failed). The bundled MobileNetV2 works offline.');
    });
    expect(await s.fetchBackbone('mobilenet-v1-0.25-224')).toBe(false);
    expect(s.lastDownload).toBe('failed');
    expect(s.downloadError?.message).toContain('The bundled MobileNetV2 works offline');
  });
});
