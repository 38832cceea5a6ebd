/**
 * The Python that runs PyTorch jobs, and what it has: LAB_PYTHON when set, else Debian's /usr/bin/python3 (the
 * one `apt-get install python3-torch` fills), else the first python3 on PATH. `probe` asks labjob itself
 * (python3 -m labjob probe) for the Python and PyTorch versions, CUDA devices, NCCL and gloo.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';

export interface TorchProbe {
  python: string;
  torch: string | null;
  cuda: boolean;
  devices: { name: string; memoryMiB: number }[];
  nccl: boolean;
  gloo: boolean;
  numpy: boolean;
}

export const DEBIAN_PYTHON = '/usr/bin/python3';

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  return null;
}

/** The python executable to run jobs with, or a LabError naming LAB_PYTHON and the package to install. */
export function findPython(): string {
  const forced = process.env.LAB_PYTHON;
  if (forced) {
    const file = path.isAbsolute(forced) ? forced : onPath(forced);
    if (!file || !existsSync(file)) throw new LabError('NOT_FOUND', msg('torch.pythonForcedMissing', { path: forced }));
    return file;
  }
  const found = existsSync(DEBIAN_PYTHON) ? DEBIAN_PYTHON : onPath('python3');
  if (!found) throw new LabError('NOT_FOUND', msg('torch.pythonMissing'));
  return found;
}

function run(python: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve) => {
    execFile(python, args, { env, timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
  });
}

/** Last lines of a process's stderr, for messages. */
export function tail(text: string, lines = 12): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs `python -m labjob probe` with the labjob package at `packageParent` (the folder that holds labjob/).
 * Throws a LabError when the python cannot run the probe at all.
 */
export async function probeTorch(python: string, packageParent: string): Promise<TorchProbe> {
  const env = { ...process.env, PYTHONPATH: packageParent, OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? '1' };
  const r = await run(python, ['-m', 'labjob', 'probe'], env, 120_000);
  const line = r.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (r.code !== 0 || !line) throw new LabError('NOT_FOUND', msg('torch.probeFailed', { python, tail: tail(r.stderr || r.stdout) || `exit ${String(r.code)}` }));
  try {
    return JSON.parse(line) as TorchProbe;
  } catch {
    throw new LabError('NOT_FOUND', msg('torch.probeFailed', { python, tail: line }));
  }
}
