// Turns the errors a native TensorFlow binding throws while loading into sentences a person can act on.
import { english, msg, type LabMessage } from '../../shared/messages';

export function isNotInstalled(pkg: string, err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  const msg = String(e?.message ?? err);
  const missing = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(msg);
  return missing && msg.includes(pkg);
}

export function explainNativeLoadError(pkg: string, err: unknown): string {
  return english(explainNativeLoadMessage(pkg, err));
}

/** The same explanation as a message (texts in src/shared/messages/catalog/backend.ts). */
export function explainNativeLoadMessage(pkg: string, err: unknown): LabMessage {
  const text = String((err as { message?: string } | null)?.message ?? err);
  if (isNotInstalled(pkg, err)) return msg('backend.reason.notInstalled', { pkg });
  const cuda = /(libcudart\.so[.\d]*|cudart64_\d+\.dll)/.exec(text);
  if (cuda) return msg('backend.reason.cudaMissing', { lib: cuda[1]! });
  const cudnn = /(libcudnn\.so[.\d]*|cudnn64_\d+\.dll)/.exec(text);
  if (cudnn) return msg('backend.reason.cudnnMissing', { lib: cudnn[1]! });
  const cublas = /(libcublas\w*\.so[.\d]*|libcufft\w*\.so[.\d]*|libcurand\w*\.so[.\d]*|libcusolver\w*\.so[.\d]*)/.exec(text);
  if (cublas) return msg('backend.reason.cublasMissing', { lib: cublas[1]! });
  const tfLib = /(libtensorflow\w*\.so[.\d]*|tensorflow\.dll)/.exec(text);
  if (tfLib) return msg('backend.reason.tfLibMissing', { lib: tfLib[1]!, pkg });
  if (/tfjs_binding\.node/.test(text)) return msg('backend.reason.binding', { pkg });
  if (/GLIBC_[\d.]+' not found/.test(text)) return msg('backend.reason.glibc', { pkg, detail: firstLine(text) });
  return msg('backend.reason.failed', { detail: firstLine(text) });
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
