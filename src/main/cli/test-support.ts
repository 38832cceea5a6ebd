// Runs the CLI in-process for tests and collects what it printed: --json lines, all of stdout, and stderr.
import { vi } from 'vitest';
import { main } from './index';

export type Line = { type: string; [k: string]: unknown };

export async function runCli(args: string[]): Promise<{ code: number; lines: Line[]; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  try {
    const code = await main(args);
    const stdout = out.join('');
    const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line);
    return { code, lines, stdout, stderr: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
