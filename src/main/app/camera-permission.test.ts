/**
 * Camera permission follows the camera streams the app's own views hold open: allowed (video only, app origin only)
 * from the moment one opens until the last one stops; denied before, after, and for every other origin or type.
 */
import { describe, expect, it } from 'vitest';
import { isPermissionAllowed, setCameraHolder } from './security-policy';

const appOrigin = (o: string): boolean => o === 'file://' || o.startsWith('file:///app/');
const asks = (origin = 'file:///app/index.html', types: string[] = ['video']): boolean => isPermissionAllowed('media', origin, appOrigin, undefined, types);

describe('camera permission while capturing', () => {
  it('is denied outside a capture session and granted only to the app page, for video, while one is open', () => {
    expect(asks()).toBe(false);
    expect(setCameraHolder(1, true)).toBe(true);
    expect(asks()).toBe(true);
    expect(asks('http://127.0.0.1:9999')).toBe(false);
    expect(asks('https://evil.example')).toBe(false);
    expect(asks(undefined, ['video', 'audio'])).toBe(false);
    expect(isPermissionAllowed('notifications', 'file:///app/index.html', appOrigin)).toBe(false);
    // A second view opening and the first stopping keeps it; the last one stopping ends it.
    setCameraHolder(2, true);
    expect(setCameraHolder(1, false)).toBe(true);
    expect(asks()).toBe(true);
    expect(setCameraHolder(2, false)).toBe(false);
    expect(asks()).toBe(false);
    // Stopping twice (a reload after the view already stopped) stays denied.
    expect(setCameraHolder(2, false)).toBe(false);
  });
});
