import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { effectScope } from 'vue';
import { setBridge } from '../api/bridge';
import { createFakeBridge } from '../testing/fake-bridge';
import { cameraProblemOf, useCamera } from './use-camera';

/** A fake MediaStream with one video track that records whether it was stopped. */
function fakeStream(deviceId = 'cam-1') {
  const track: { stopped: boolean; stop(): void; getSettings(): { deviceId: string } } = {
    stopped: false,
    stop() {
      this.stopped = true;
    },
    getSettings: () => ({ deviceId }),
  };
  return { track, stream: { getTracks: () => [track], getVideoTracks: () => [track] } as unknown as MediaStream };
}

const originalNavigator = Object.getOwnPropertyDescriptor(globalThis, 'navigator');

describe('useCamera', () => {
  const log: string[] = [];
  let getUserMedia: () => Promise<MediaStream>;
  beforeEach(() => {
    log.length = 0;
    const bridge = createFakeBridge();
    bridge.cameraActive = async (open) => {
      log.push(`permission ${open}`);
      return open;
    };
    setBridge(bridge);
    Object.defineProperty(globalThis, 'navigator', {
      configurable: true,
      value: {
        mediaDevices: {
          getUserMedia: () => {
            log.push('getUserMedia');
            return getUserMedia();
          },
          enumerateDevices: async () => [{ kind: 'videoinput', deviceId: 'cam-1', label: 'Front camera' }],
        },
      },
    });
  });
  afterEach(() => {
    setBridge(null);
    if (originalNavigator) Object.defineProperty(globalThis, 'navigator', originalNavigator);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });

  it('asks for camera permission just before opening, and gives it back when the view goes', async () => {
    const { track, stream } = fakeStream();
    getUserMedia = async () => stream;
    const scope = effectScope();
    const camera = scope.run(() => useCamera())!;
    expect(await camera.open()).toBe(true);
    expect(camera.devices.value).toEqual([{ deviceId: 'cam-1', label: 'Front camera' }]);
    expect(log).toEqual(['permission true', 'getUserMedia']);
    scope.stop();
    await new Promise((r) => setTimeout(r, 0));
    expect(track.stopped).toBe(true);
    expect(log.at(-1)).toBe('permission false');
  });

  it('names what went wrong and hands the permission back at once', async () => {
    getUserMedia = async () => {
      throw Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    };
    const camera = useCamera();
    expect(await camera.open()).toBe(false);
    expect(camera.problem.value).toBe('denied');
    expect(log).toEqual(['permission true', 'getUserMedia', 'permission false']);
    expect(cameraProblemOf({ name: 'NotFoundError' })).toBe('none');
    expect(cameraProblemOf({ name: 'NotReadableError' })).toBe('busy');
    expect(cameraProblemOf(new Error('?'))).toBe('other');
  });

  it('says the page cannot use a camera where the browser gives it none (an insecure page)', async () => {
    Object.defineProperty(globalThis, 'navigator', { configurable: true, value: {} });
    const camera = useCamera();
    expect(await camera.open()).toBe(false);
    expect(camera.problem.value).toBe('unsupported');
  });
});
