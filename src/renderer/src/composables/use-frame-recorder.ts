/**
 * Hold-to-record: while held (a button, or Space), grab the camera's current frame `rate` times a second, encode it
 * as JPEG in a canvas and hand the blob on. An optional countdown runs first; letting go during it records nothing.
 */
import { getCurrentScope, onScopeDispose, ref, type Ref } from 'vue';

export type RecorderPhase = 'idle' | 'countdown' | 'recording';

/** Frames wider or taller than this are scaled down before encoding (enough for any training size). */
export const MAX_FRAME_SIDE = 1280;
const JPEG_QUALITY = 0.9;

/** Encode the video's current frame (as the camera sees it: never mirrored) as a JPEG blob; null before the first frame. */
export function grabFrame(video: HTMLVideoElement, canvas: HTMLCanvasElement = document.createElement('canvas')): Promise<Blob | null> {
  const w = video.videoWidth;
  const h = video.videoHeight;
  if (!w || !h) return Promise.resolve(null);
  const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(w, h));
  canvas.width = Math.max(1, Math.round(w * scale));
  canvas.height = Math.max(1, Math.round(h * scale));
  const ctx = canvas.getContext('2d');
  if (!ctx) return Promise.resolve(null);
  ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve) => canvas.toBlob((b) => resolve(b), 'image/jpeg', JPEG_QUALITY));
}

export function useFrameRecorder(opts: {
  video: Ref<HTMLVideoElement | null>;
  rate: Ref<number>;
  countdown: Ref<number>;
  canRecord: () => boolean;
  onFrame: (blob: Blob) => void;
  /** Called when a recording (not a cancelled countdown) ends. */
  onStop?: () => void;
}) {
  const phase = ref<RecorderPhase>('idle');
  const countdownLeft = ref(0);
  const held = ref(false);
  let timer: ReturnType<typeof setInterval> | null = null;
  const canvas = typeof document !== 'undefined' ? document.createElement('canvas') : null;

  function clear(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  async function grab(): Promise<void> {
    const v = opts.video.value;
    if (!v || !canvas || phase.value !== 'recording') return;
    const blob = await grabFrame(v, canvas);
    if (blob) opts.onFrame(blob);
  }

  function record(): void {
    phase.value = 'recording';
    void grab();
    timer = setInterval(() => void grab(), Math.round(1000 / Math.max(0.1, opts.rate.value)));
  }

  function press(): void {
    held.value = true;
    if (phase.value !== 'idle' || !opts.canRecord()) return;
    if (opts.countdown.value > 0) {
      phase.value = 'countdown';
      countdownLeft.value = opts.countdown.value;
      timer = setInterval(() => {
        countdownLeft.value--;
        if (countdownLeft.value <= 0) {
          clear();
          record();
        }
      }, 1000);
    } else record();
  }

  function release(): void {
    held.value = false;
    const was = phase.value;
    clear();
    phase.value = 'idle';
    countdownLeft.value = 0;
    if (was === 'recording') opts.onStop?.();
  }

  if (getCurrentScope()) onScopeDispose(release);
  return { phase, countdownLeft, held, press, release };
}
