/**
 * The only bridge between the sandboxed renderer and the main process: exposes exactly the LabApi client
 * (plus folder picking and dropped-file paths), never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { LabBridge } from '../shared/bridge';
import type { LabEvent } from '../shared/events';
import { IPC_CAMERA_CHANNEL, IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, IPC_PICK_FOLDER_CHANNEL } from '../shared/ipc-channels';

type Envelope = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; details?: unknown } };

const bridge: LabBridge = {
  shell: 'electron',
  async call(name, ...args) {
    const reply = (await ipcRenderer.invoke(IPC_INVOKE_CHANNEL, name, args)) as Envelope;
    if (reply.ok) return reply.result as never;
    // A plain {code, message, details} object survives the context bridge intact (Error subclasses do not).
    throw reply.error;
  },
  onEvent(listener) {
    const handler = (_e: IpcRendererEvent, event: LabEvent): void => listener(event);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
  imageUrl: (datasetId, index, variant = 'thumb') => `lab://image/${encodeURIComponent(datasetId)}/${index}?variant=${variant}`,
  pickFolder: () => ipcRenderer.invoke(IPC_PICK_FOLDER_CHANNEL) as Promise<string | null>,
  pathForFile: (file) => webUtils.getPathForFile(file as File),
  cameraActive: (open) => ipcRenderer.invoke(IPC_CAMERA_CHANNEL, open) as Promise<boolean>,
};

contextBridge.exposeInMainWorld('lab', bridge);
