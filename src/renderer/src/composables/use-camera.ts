/**
 * A camera stream for a view (capture, live prediction): lists the cameras, opens the chosen one, and stops it when
 * asked, when another is chosen, or when the view's scope ends. In Electron the main process grants camera permission
 * only while a stream is open (bridge.cameraActive); in a browser the browser asks the person. A failure is one of a
 * few kinds, each with its own advice in the view.
 */
import { getCurrentScope, onScopeDispose, ref, shallowRef } from 'vue';
import { getBridge } from '../api/bridge';

export type CameraProblem = 'unsupported' | 'none' | 'denied' | 'busy' | 'other';

export interface CameraDevice {
  deviceId: string;
  label: string;
}

/** getUserMedia's DOMException names → what the person can do about it. */
export function cameraProblemOf(err: unknown): CameraProblem {
  const name = (err as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'none';
  if (name === 'NotReadableError' || name === 'AbortError' || name === 'TrackStartError') return 'busy';
  return 'other';
}

export function useCamera() {
  const devices = ref<CameraDevice[]>([]);
  const deviceId = ref<string | null>(null);
  const stream = shallowRef<MediaStream | null>(null);
  const problem = ref<CameraProblem | null>(null);
  const detail = ref('');
  const opening = ref(false);
  let openSeq = 0;

  // navigator.mediaDevices is undefined on an insecure page (http on a LAN address), whatever the types say.
  const media = (): MediaDevices | null => {
    const md = typeof navigator !== 'undefined' ? (navigator.mediaDevices as MediaDevices | undefined) : undefined;
    return md && typeof md.getUserMedia === 'function' ? md : null;
  };

  async function listDevices(): Promise<void> {
    const md = media();
    if (!md) return;
    const all = await md.enumerateDevices().catch(() => [] as MediaDeviceInfo[]);
    devices.value = all.filter((d) => d.kind === 'videoinput').map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
  }

  async function permit(open: boolean): Promise<void> {
    const bridge = getBridge();
    if (bridge.cameraActive) await bridge.cameraActive(open).catch(() => false);
  }

  function stopTracks(): void {
    for (const track of stream.value?.getTracks() ?? []) track.stop();
    stream.value = null;
  }

  /** Open the chosen camera (or the default one); the previous stream, if any, is stopped first. */
  async function open(id: string | null = deviceId.value): Promise<boolean> {
    const seq = ++openSeq;
    stopTracks();
    problem.value = null;
    detail.value = '';
    const md = media();
    if (!md) {
      problem.value = 'unsupported';
      return false;
    }
    opening.value = true;
    try {
      await permit(true);
      const s = await md.getUserMedia({ audio: false, video: id ? { deviceId: { exact: id } } : true });
      if (seq !== openSeq) {
        // Superseded while the camera started (another camera chosen, or the view left): not ours to keep.
        for (const track of s.getTracks()) track.stop();
        return false;
      }
      stream.value = s;
      deviceId.value = s.getVideoTracks()[0]?.getSettings().deviceId ?? id;
      // Labels are only given once a stream is open.
      await listDevices();
      if (devices.value.length === 0) problem.value = 'none';
      return true;
    } catch (err) {
      if (seq !== openSeq) return false;
      problem.value = cameraProblemOf(err);
      detail.value = (err as Error)?.message ?? String(err);
      await permit(false);
      return false;
    } finally {
      if (seq === openSeq) opening.value = false;
    }
  }

  /** Stop the stream and give camera permission back. */
  async function stop(): Promise<void> {
    openSeq++;
    opening.value = false;
    stopTracks();
    // Also when an open() was still waiting for the camera: it sees it was superseded and drops its stream.
    await permit(false);
  }

  if (getCurrentScope()) onScopeDispose(() => void stop());

  return { devices, deviceId, stream, problem, detail, opening, listDevices, open, stop };
}
