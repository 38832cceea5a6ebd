// The PyTorch peer (../shared/peers/torch_ref.py on Debian's system python3), run as a child process.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';

export function findPeersDir(env: Record<string, string | undefined> = process.env): string | null {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir = env.LAB_PEERS ? path.resolve(env.LAB_PEERS) : path.resolve(repoRoot, '..', 'shared', 'peers');
  return existsSync(path.join(dir, 'torch_ref.py')) ? dir : null;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Why the peer cannot run, or null when it can. */
export async function peerUnavailable(peersDir: string | null): Promise<string | null> {
  if (!peersDir) return 'peer skipped: ../shared/peers/torch_ref.py not found (set LAB_PEERS to its folder)';
  if (!existsSync(PYTHON)) return `peer skipped: ${PYTHON} not found`;
  const probe = await run(PYTHON, ['-c', 'import torch'], 60_000);
  if (probe.code !== 0) return `peer skipped: ${PYTHON} cannot import torch (apt install python3-torch)`;
  return null;
}

export interface PeerResult {
  peer: string;
  arch: string;
  train_images_per_s: number;
  test_accuracy: number;
  total_s: number;
  n_train: number;
  load_s?: number;
}

export async function runPeer(peersDir: string, args: string[], timeoutMs = 1_800_000): Promise<PeerResult> {
  const res = await run(PYTHON, [path.join(peersDir, 'torch_ref.py'), ...args], timeoutMs);
  const line = res.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (res.code !== 0 || !line) throw new Error(`torch_ref.py ${args.join(' ')} failed (${res.code}): ${res.stderr.slice(-500)}`);
  return JSON.parse(line) as PeerResult;
}
