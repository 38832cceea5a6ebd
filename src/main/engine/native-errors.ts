// Turns the errors a native TensorFlow binding throws while loading into sentences a person can act on.

export function isNotInstalled(pkg: string, err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  const msg = String(e?.message ?? err);
  const missing = e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(msg);
  return missing && msg.includes(pkg);
}

export function explainNativeLoadError(pkg: string, err: unknown): string {
  const msg = String((err as { message?: string } | null)?.message ?? err);
  if (isNotInstalled(pkg, err)) {
    return `not installed (optional dependency; \`npm install ${pkg}\` to use it)`;
  }
  const cuda = /(libcudart\.so[.\d]*|cudart64_\d+\.dll)/.exec(msg);
  if (cuda) return `${cuda[1]} not found: install CUDA 11.2 + cuDNN 8.1 (and add them to the library path)`;
  const cudnn = /(libcudnn\.so[.\d]*|cudnn64_\d+\.dll)/.exec(msg);
  if (cudnn) return `${cudnn[1]} not found: install cuDNN 8.1 for CUDA 11.2`;
  const cublas = /(libcublas\w*\.so[.\d]*|libcufft\w*\.so[.\d]*|libcurand\w*\.so[.\d]*|libcusolver\w*\.so[.\d]*)/.exec(msg);
  if (cublas) return `${cublas[1]} not found: install the CUDA 11.2 toolkit libraries`;
  const tfLib = /(libtensorflow\w*\.so[.\d]*|tensorflow\.dll)/.exec(msg);
  if (tfLib) return `${tfLib[1]} not found: the libtensorflow download failed at install; run \`npm rebuild ${pkg}\` with network access`;
  if (/tfjs_binding\.node/.test(msg)) {
    return `native binding missing or built for another Node/Electron: run \`npm rebuild ${pkg}\``;
  }
  if (/GLIBC_[\d.]+' not found/.test(msg)) return `this system's C library is too old for ${pkg}: ${firstLine(msg)}`;
  return `failed to load: ${firstLine(msg)}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 300);
}
