import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { LabError } from '../../../shared/errors';
import { setBridge } from '../api/bridge';
import { resolveLocale, resolveTheme } from '../lib/preferences';
import { createFakeBridge, type FakeBridge } from '../testing/fake-bridge';
import { useEngineStore } from './engine';
import { useErrorsStore } from './errors';
import { useSettingsStore } from './settings';

describe('settings and engine stores', () => {
  let bridge: FakeBridge;
  beforeEach(() => {
    setActivePinia(createPinia());
    bridge = createFakeBridge();
    setBridge(bridge);
  });

  it('a locale change applies at once and is saved in the workspace', async () => {
    bridge.on('settings.set', (patch) => ({ locale: 'auto', theme: 'auto', recentDatasets: [], ...patch }));
    const s = useSettingsStore();
    const saving = s.update({ locale: 'zh-CN' });
    expect(s.settings.locale).toBe('zh-CN');
    await saving;
    expect(bridge.calls[0]).toEqual({ name: 'settings.set', args: [{ locale: 'zh-CN' }] });
    expect(s.settings.locale).toBe('zh-CN');
  });

  it('a failed save keeps the choice on screen and says so', async () => {
    bridge.on('settings.set', () => {
      throw new LabError('UNREADABLE', 'Cannot write /ws/settings.json: check the workspace folder permissions.');
    });
    const s = useSettingsStore();
    await s.update({ theme: 'dark' });
    expect(s.settings.theme).toBe('dark');
    expect(useErrorsStore().items[0]?.message).toContain('settings.json');
  });

  it('auto follows the OS: Chinese browsers get zh-CN, dark OS gets the dark theme', () => {
    expect(resolveLocale('auto', ['zh-TW', 'en-US'])).toBe('zh-CN');
    expect(resolveLocale('auto', ['fr-FR', 'en-GB'])).toBe('en');
    expect(resolveLocale('auto', ['de-DE'])).toBe('en');
    expect(resolveLocale('en', ['zh-CN'])).toBe('en');
    expect(resolveTheme('auto', true)).toBe('dark');
    expect(resolveTheme('light', true)).toBe('light');
  });

  it('the engine store says which backend runs and why faster ones did not load', async () => {
    bridge.on('engine.doctor', () => ({
      version: '0.1.0',
      node: 'v20',
      platform: 'linux',
      arch: 'x64',
      cpus: 2,
      memoryGiB: 8,
      workspace: '/ws',
      sharp: '0.34',
      checks: [],
      backend: {
        name: 'wasm',
        label: 'WebAssembly (SIMD, 2 threads)',
        device: 'cpu',
        threads: 2,
        candidates: [
          { name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu', loaded: false, reason: 'not installed' },
          { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', loaded: true },
        ],
      },
    }));
    const engine = useEngineStore();
    await engine.runDoctor();
    expect(engine.backendLabel).toBe('WebAssembly (SIMD, 2 threads)');
    expect(engine.doctor?.backend.candidates.find((c) => !c.loaded)?.reason).toBe('not installed');
    expect(engine.checking).toBe(false);
  });

  it('the same error twice in a row is counted, not listed twice', () => {
    const errors = useErrorsStore();
    errors.report(new LabError('BUSY', 'A run is already training.'), 'startTraining');
    errors.report(new LabError('BUSY', 'A run is already training.'), 'startTraining');
    expect(errors.items).toHaveLength(1);
    expect(errors.items[0]?.count).toBe(2);
    errors.report(new Error('boom'), 'openRun');
    expect(errors.items[0]?.code).toBe('INTERNAL');
    expect(errors.items[0]?.message).toMatch(/boom/);
    errors.dismiss(errors.items[0]!.id);
    expect(errors.items).toHaveLength(1);
  });
});
