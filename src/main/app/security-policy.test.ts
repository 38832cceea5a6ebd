import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allowMediaCapture, isPermissionAllowed, isVettedExternalUrl, permissionState } from './security-policy';

describe('Electron security policy', () => {
  it('opens only vetted https documentation links in the browser', () => {
    expect(isVettedExternalUrl('https://www.tensorflow.org/js/guide')).toBe(true);
    expect(isVettedExternalUrl('https://onnxruntime.ai/docs/')).toBe(true);
    for (const url of [
      'https://evil.example/',
      'https://www.tensorflow.org.evil.example/js/',
      'https://evil.example/https://www.tensorflow.org/js/',
      'https://user:pw@www.tensorflow.org/js/',
      'https://www.tensorflow.org:8443/js/',
      'https://www.tensorflow.org/jsx',
      'http://www.tensorflow.org/js/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(isVettedExternalUrl(url), url).toBe(false);
    }
  });

  it('denies every permission by default; camera only for the app origin while capture is on', () => {
    const app = (o: string) => o.startsWith('file://');
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'midi', 'hid', 'serial']) {
      expect(isPermissionAllowed(p, 'file:///app/index.html', app, { mediaCapture: false }), p).toBe(false);
    }
    const on = { mediaCapture: true };
    expect(isPermissionAllowed('media', 'file:///app/index.html', app, on, ['video'])).toBe(true);
    expect(isPermissionAllowed('media', 'file:///app/index.html', app, { mediaCapture: false }, ['video'])).toBe(false);
    expect(isPermissionAllowed('media', 'https://evil.example', app, on, ['video'])).toBe(false);
    expect(isPermissionAllowed('geolocation', 'file:///app/index.html', app, on, ['video'])).toBe(false);
    // Video only: the microphone, or a request that does not say what it wants, stays denied while capturing.
    expect(isPermissionAllowed('media', 'file:///app/index.html', app, on, ['video', 'audio'])).toBe(false);
    expect(isPermissionAllowed('media', 'file:///app/index.html', app, on, ['audio'])).toBe(false);
    expect(isPermissionAllowed('media', 'file:///app/index.html', app, on, ['unknown'])).toBe(false);
    expect(isPermissionAllowed('media', 'file:///app/index.html', app, on)).toBe(false);
    allowMediaCapture(true);
    expect(permissionState.mediaCapture).toBe(true);
    expect(isPermissionAllowed('media', 'file:///x', app, undefined, ['video'])).toBe(true);
    allowMediaCapture(false);
    expect(isPermissionAllowed('media', 'file:///x', app, undefined, ['video'])).toBe(false);
  });

  it("limits the page's connect-src to its own origin (no ws: or wss: wildcard)", () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const csp = /Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/connect-src[^;]*\b(ws|wss):(?!\/)/);
  });
});
