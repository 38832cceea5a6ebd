import { createPinia, setActivePinia } from 'pinia';
import { effectScope } from 'vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LivePredictRequest } from '../../../shared/live';
import { LabError } from '../../../shared/errors';
import { setBridge } from '../api/bridge';
import { useCamera } from '../composables/use-camera';
import { createFakeBridge, flush, type FakeBridge } from '../testing/fake-bridge';
import { HEATMAP_EVERY_MS, RateMeter, topClasses, useLiveStore } from './live';

const LABELS = ['mug', 'pen', 'phone'];

describe('rate meter', () => {
  it('counts predictions per second over the last second and gives their median latency', () => {
    const m = new RateMeter(1000);
    expect(m.rate(0)).toBe(0);
    expect(m.medianLatency(0)).toBeNull();
    // 21 answers 50 ms apart (20/s), latencies 30, 31, …, 50 ms.
    for (let i = 0; i <= 20; i++) m.add(1000 + i * 50, 30 + i);
    expect(m.rate(2000)).toBeCloseTo(20, 6);
    expect(m.medianLatency(2000)).toBe(40);
    // Half a second later only the answers of the last second count: 11 of them, latencies 40…50.
    expect(m.rate(2500)).toBeCloseTo(20, 6);
    expect(m.medianLatency(2500)).toBe(45);
    // Nothing for over a second: no rate, no latency (a stalled feed does not keep showing its old speed).
    expect(m.rate(3100)).toBe(0);
    expect(m.medianLatency(3100)).toBeNull();
  });

  it('medians an even number of latencies between the middle two', () => {
    const m = new RateMeter(1000);
    [10, 40, 20, 30].forEach((lat, i) => m.add(i * 100, lat));
    expect(m.medianLatency(300)).toBe(25);
    expect(m.rate(300)).toBeCloseTo(10, 6);
  });
});

describe('top classes', () => {
  it('orders by probability, keeps label order on ties and clamps k to the classes', () => {
    expect(topClasses([0.1, 0.6, 0.3], LABELS, 2).map((c) => c.label)).toEqual(['pen', 'phone']);
    expect(topClasses([0.4, 0.2, 0.4], LABELS, 3).map((c) => c.label)).toEqual(['mug', 'phone', 'pen']);
    expect(topClasses([0.1, 0.6, 0.3], LABELS, 10)).toHaveLength(3);
    expect(topClasses([0.1, 0.6, 0.3], LABELS, 0)).toHaveLength(1);
  });
});

describe('live store', () => {
  let bridge: FakeBridge;
  let now = 0;
  const heatAsked: boolean[] = [];

  beforeEach(() => {
    setActivePinia(createPinia());
    now = 0;
    heatAsked.length = 0;
    bridge = createFakeBridge()
      .on('live.open', (req) => ({ model: req.model, labels: LABELS, input: { size: 32, channels: 3, fit: 'squash' }, engine: 'onnxruntime', heatmap: true }))
      .on('live.predict', (req: LivePredictRequest) => {
        // Each answer takes 40 ms of the fake clock; the frame names the class it shows.
        now += 40;
        heatAsked.push(!!req.heatmap);
        const cls = LABELS.indexOf(req.image);
        const probabilities = LABELS.map((_, i) => (i === cls ? 0.8 : 0.1));
        return {
          probabilities,
          engineMs: 12,
          ...(req.heatmap ? { preview: 'data:image/png;base64,AA', heatmap: { label: req.image, layer: 'conv', heat: 'data:image/png;base64,BB', overlay: 'data:image/png;base64,CC' } } : {}),
        };
      })
      .on('live.release', () => ({ released: true }));
    setBridge(bridge);
  });

  it('predicts frame after frame: top-1 of the newest frame, rate and median latency of the last second, heatmaps every 500 ms', async () => {
    const live = useLiveStore();
    live.model = 'run-1';
    live.clock.now = () => now;
    let frames = 0;
    live.clock.pause = async () => {
      // 10 ms between an answer and the next frame: 50 ms per prediction, 20/s.
      now += 10;
      if (++frames === 30) live.stop();
    };
    await live.start(() => (frames < 20 ? 'mug' : 'phone'));
    expect(bridge.calls.filter((c) => c.name === 'live.open')).toHaveLength(1);
    expect(live.count).toBe(30);
    expect(live.top1?.label).toBe('phone');
    expect(live.top.map((c) => c.label)).toEqual(['phone', 'mug', 'pen']);
    // The rate drops to 0 once the loop stops; while it ran it read 20/s with a 40 ms latency.
    expect(live.running).toBe(false);
    expect(live.rate).toBe(0);
    expect(live.latencyMs).toBe(40);
    // 30 frames over 1.5 s: a heatmap on the first frame and then every 500 ms (frames 0, 10, 20).
    expect(heatAsked.filter(Boolean)).toHaveLength(Math.ceil((30 * 50) / HEATMAP_EVERY_MS));
    expect(live.heatmap?.label).toBe('phone');
    expect(live.heatmap?.preview).toBe('data:image/png;base64,AA');
  });

  it('shows the rate while it runs', async () => {
    const live = useLiveStore();
    live.model = 'run-1';
    live.clock.now = () => now;
    const seen: number[] = [];
    live.clock.pause = async () => {
      now += 10;
      seen.push(live.rate);
      if (seen.length === 25) live.stop();
    };
    await live.start(() => 'pen');
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBeCloseTo(20, 6);
  });

  it('asks for no heatmap when switched off or when the model has no feature map', async () => {
    const live = useLiveStore();
    live.model = 'run-1';
    live.heatmapOn = false;
    live.clock.now = () => now;
    let n = 0;
    live.clock.pause = async () => {
      now += 10;
      if (++n === 12) live.stop();
    };
    await live.start(() => 'pen');
    expect(heatAsked).toHaveLength(12);
    expect(heatAsked.some(Boolean)).toBe(false);
    expect(live.heatmap).toBeNull();
  });

  it('classifies a dropped image once, with its heatmap, and stops the camera loop', async () => {
    const live = useLiveStore();
    live.model = 'run-1';
    await live.openModel();
    expect(await live.predictImage('pen')).toBe(true);
    expect(live.source).toBe('image');
    expect(live.top1?.label).toBe('pen');
    expect(live.heatmap?.label).toBe('pen');
    expect(live.running).toBe(false);
  });

  it('stops on an engine error and reports it', async () => {
    bridge.on('live.predict', () => {
      throw new LabError('UNREADABLE', 'The image is not an image.');
    });
    const live = useLiveStore();
    live.model = 'run-1';
    await live.start(() => 'pen');
    expect(live.running).toBe(false);
    expect(live.lastError?.code).toBe('UNREADABLE');
  });

  it('on leaving the page stops the loop and lets the engine release the model', async () => {
    const live = useLiveStore();
    live.model = 'run-1';
    let n = 0;
    live.clock.pause = async () => {
      if (++n === 3) void live.leave();
      await flush();
    };
    await live.start(() => 'mug');
    expect(live.running).toBe(false);
    expect(live.info).toBeNull();
    expect(bridge.calls.filter((c) => c.name === 'live.predict')).toHaveLength(3);
    expect(bridge.calls.at(-1)?.name).toBe('live.release');
  });
});

describe('the live page camera', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('stops the camera stream when the page is left (its scope ends)', async () => {
    setBridge(createFakeBridge());
    const stop = vi.fn();
    const stream = { getTracks: () => [{ stop }], getVideoTracks: () => [{ getSettings: () => ({ deviceId: 'cam-1' }) }] };
    vi.stubGlobal('navigator', {
      mediaDevices: {
        getUserMedia: vi.fn(async () => stream),
        enumerateDevices: vi.fn(async () => [{ kind: 'videoinput', deviceId: 'cam-1', label: 'Front' }]),
      },
    });
    const scope = effectScope();
    const camera = scope.run(() => useCamera())!;
    expect(await camera.open()).toBe(true);
    expect(camera.devices.value).toEqual([{ deviceId: 'cam-1', label: 'Front' }]);
    expect(stop).not.toHaveBeenCalled();
    scope.stop();
    await flush();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(camera.stream.value).toBeNull();
  });
});
