import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { CaptureSummary, CapturedFrame } from '../../../shared/capture';
import { LabError } from '../../../shared/errors';
import { msg } from '../../../shared/messages';
import { setBridge } from '../api/bridge';
import { createFakeBridge, deferred, flush, type FakeBridge } from '../testing/fake-bridge';
import { blobToBase64, MAX_IN_FLIGHT, useCaptureStore } from './capture';
import { useErrorsStore } from './errors';

let n = 0;
function written(req: { capture: string; className: string }): CapturedFrame {
  const file = `20261205T120000000Z-${n++}.jpg`;
  return { id: `${req.className}/${file}`, className: req.className, file, bytes: 10, width: 4, height: 3, at: '2026-12-05T12:00:00.000Z' };
}
const jpeg = (): Blob => new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], { type: 'image/jpeg' });

describe('capture store', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = createFakeBridge()
      .on('capture.saveFrame', (req) => written(req))
      .on('capture.list', () => [] as CaptureSummary[])
      .on('capture.deleteFrame', () => ({ deleted: true }));
    setBridge(bridge);
  });

  it('encodes frames as base64, byte for byte, also past one chunk', async () => {
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
    const b64 = await blobToBase64(new Blob([bytes]));
    expect(Buffer.from(b64, 'base64').equals(Buffer.from(bytes))).toBe(true);
  });

  it('saves a frame into the named capture and class, newest first, and counts it per class', async () => {
    const store = useCaptureStore();
    store.capture = ' desk ';
    store.className = ' mug ';
    expect(await store.saveFrame(jpeg())).toBe(true);
    store.className = 'plant';
    await store.saveFrame(jpeg());
    const sent = bridge.calls.filter((c) => c.name === 'capture.saveFrame').map((c) => c.args[0] as { capture: string; className: string; data: string });
    expect(sent.map((s) => [s.capture, s.className])).toEqual([
      ['desk', 'mug'],
      ['desk', 'plant'],
    ]);
    expect(Buffer.from(sent[0]!.data, 'base64')[0]).toBe(0xff);
    expect(store.frames.map((f) => f.className)).toEqual(['plant', 'mug']);
    expect(store.frames[0]!.url).toMatch(/^blob:/);
    expect(store.classes).toEqual([
      { name: 'mug', frames: 1 },
      { name: 'plant', frames: 1 },
    ]);
    expect(store.canMakeDataset).toBe(true);
  });

  it('sends nothing while the class name cannot be a folder, and says why', async () => {
    const store = useCaptureStore();
    store.className = 'a/b';
    expect(store.classProblem?.code).toBe('capture.name.badChar');
    expect(await store.saveFrame(jpeg())).toBe(false);
    store.className = 'test';
    expect(store.classProblem?.code).toBe('capture.name.reserved');
    expect(bridge.calls.some((c) => c.name === 'capture.saveFrame')).toBe(false);
  });

  it('skips (and counts) frames while too many are still being saved, instead of queueing without end', async () => {
    const held = deferred<CapturedFrame>();
    bridge.on('capture.saveFrame', () => held.promise);
    const store = useCaptureStore();
    store.className = 'mug';
    const pending = Array.from({ length: MAX_IN_FLIGHT }, () => store.saveFrame(jpeg()));
    await flush();
    expect(store.inFlight).toBe(MAX_IN_FLIGHT);
    expect(await store.saveFrame(jpeg())).toBe(false);
    expect(store.skipped).toBe(1);
    held.resolve(written({ capture: 'camera', className: 'mug' }));
    await Promise.all(pending);
    expect(store.inFlight).toBe(0);
  });

  it('deletes a frame from the grid and the count; a refused delete keeps it and is reported', async () => {
    const store = useCaptureStore();
    store.className = 'mug';
    await store.saveFrame(jpeg());
    await store.saveFrame(jpeg());
    await store.deleteFrame(store.frames[0]!);
    expect(store.frames).toHaveLength(1);
    expect(store.classes).toEqual([{ name: 'mug', frames: 1 }]);

    bridge.on('capture.deleteFrame', () => {
      throw new LabError('BAD_ARGUMENT', msg('capture.frame.changed', { path: '/x.jpg' }));
    });
    await store.deleteFrame(store.frames[0]!);
    expect(store.frames).toHaveLength(1);
    expect(useErrorsStore().items[0]).toMatchObject({ context: 'deleteFrame', msg: { code: 'capture.frame.changed' } });
  });

  it('makes the dataset (or a merged one) and keeps its summary', async () => {
    bridge.on('capture.toDataset', (req) => ({ id: req.mergeWith ? 'merged-1' : 'camera-1', name: 'camera', paths: [], layout: 'class-folders', classes: [], images: 2, problems: [], warnings: [], createdAt: '', updatedAt: '' }));
    const store = useCaptureStore();
    expect((await store.makeDataset())?.id).toBe('camera-1');
    expect((await store.makeDataset('photos-1'))?.id).toBe('merged-1');
    expect(bridge.calls.filter((c) => c.name === 'capture.toDataset').map((c) => c.args[0])).toEqual([{ capture: 'camera' }, { capture: 'camera', mergeWith: 'photos-1' }]);
    expect(store.dataset?.id).toBe('merged-1');
  });
});
