import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { dispatch } from '../../shared/dispatch';
import { toLabErrorData } from '../../shared/errors';
import { IPC_CAMERA_CHANNEL, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, IPC_PICK_FOLDER_CHANNEL } from '../../shared/ipc-channels';
import type { LabService } from '../service/lab-service';
import { setCameraHolder } from './security-policy';

/** Bind the whole LabApi to one IPC channel; every message's sender must be our own renderer. */
export function bindIpc(service: LabService, isTrustedUrl: (url: string) => boolean): () => void {
  const trusted = (e: IpcMainInvokeEvent): boolean => {
    const url = e.senderFrame?.url ?? '';
    return isTrustedUrl(url);
  };
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (e, method: unknown, args: unknown) => {
    if (!trusted(e)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'Refused: the request did not come from the lab window.' } };
    try {
      return { ok: true, result: await dispatch(service.handlers, method, args) };
    } catch (err) {
      return { ok: false, error: toLabErrorData(err) };
    }
  });
  ipcMain.handle(IPC_PICK_FOLDER_CHANNEL, async (e) => {
    if (!trusted(e)) return null;
    const win = BrowserWindow.fromWebContents(e.sender);
    const options = { title: 'Choose a folder of class subfolders', properties: ['openDirectory' as const] };
    const picked = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  });
  // Camera permission only while a view of this window holds a stream open; a reload, a crash or a closed window ends it.
  const watched = new Set<number>();
  ipcMain.handle(IPC_CAMERA_CHANNEL, (e, open: unknown) => {
    if (!trusted(e) || typeof open !== 'boolean') return false;
    const contents = e.sender;
    const id = contents.id;
    if (open && !watched.has(id)) {
      watched.add(id);
      const release = (): void => {
        setCameraHolder(id, false);
      };
      contents.once('destroyed', release);
      contents.on('render-process-gone', release);
      contents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) release();
      });
    }
    return setCameraHolder(id, open);
  });
  const unsubscribe = service.onEvent((event) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, event);
    }
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_INVOKE_CHANNEL);
    ipcMain.removeHandler(IPC_PICK_FOLDER_CHANNEL);
    ipcMain.removeHandler(IPC_CAMERA_CHANNEL);
  };
}
