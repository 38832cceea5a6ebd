import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { setBridge } from '../api/bridge';
import { createFakeBridge, type FakeBridge } from '../testing/fake-bridge';
import { useShellStore } from './shell';

let bridge: FakeBridge;
beforeEach(() => {
  setActivePinia(createPinia());
  bridge = createFakeBridge();
  setBridge(bridge);
});

describe('the shell store', () => {
  it('in a browser tab: no folder dialog, no dropped-file paths, and pages know to download', async () => {
    const shell = useShellStore();
    expect(shell.kind).toBe('browser');
    expect(shell.isBrowser).toBe(true);
    expect(shell.canPickFolder).toBe(false);
    expect(shell.canDropFiles).toBe(false);
    expect(await shell.pickFolder()).toBeNull();
    expect(shell.pathForFile({ name: 'a.png' } as File)).toBe('');
  });

  it('in Electron: the chosen folder and the path of a dropped file come from the shell; a cancelled dialog gives null', async () => {
    const answers: (string | null)[] = ['/data/cats', null];
    setBridge({
      ...bridge,
      shell: 'electron',
      pickFolder: async () => answers.shift() ?? null,
      pathForFile: (file) => `/dropped/${(file as File).name}`,
    });
    const shell = useShellStore();
    expect(shell.isBrowser).toBe(false);
    expect(shell.canPickFolder).toBe(true);
    expect(shell.canDropFiles).toBe(true);
    expect(await shell.pickFolder()).toBe('/data/cats');
    expect(await shell.pickFolder()).toBeNull();
    expect(shell.pathForFile({ name: 'shoe.png' } as File)).toBe('/dropped/shoe.png');
  });

  it('image URLs address a dataset image by dataset and manifest index, thumbnail unless the full picture is asked for', () => {
    const shell = useShellStore();
    expect(shell.imageUrl('ds1', 7)).toBe('/api/image/ds1/7?variant=thumb');
    expect(shell.imageUrl('ds1', 7, 'full')).toBe('/api/image/ds1/7?variant=full');
    expect(bridge.calls).toEqual([]); // a URL, not an engine call
  });
});
