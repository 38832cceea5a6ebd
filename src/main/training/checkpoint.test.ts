import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanStaleCheckpointTemps, loadCheckpoint } from './checkpoint';

/** The pid of a process that has certainly ended. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

describe('checkpoint temporary folders', () => {
  it('removes last.tmp-<pid> left by a process killed mid-save when the run is next opened, keeping live ones', async () => {
    const runDir = mkdtempSync(path.join(os.tmpdir(), 'lab-ckpt-'));
    const dead = deadPid();
    const stale = path.join(runDir, 'checkpoints', `last.tmp-${dead}`);
    const staleBest = path.join(runDir, 'checkpoints', `best.tmp-${dead}`);
    const mine = path.join(runDir, 'checkpoints', `last.tmp-${process.pid}`);
    for (const d of [stale, staleBest, mine]) {
      mkdirSync(path.join(d, 'model'), { recursive: true });
      writeFileSync(path.join(d, 'model', 'weights.bin'), Buffer.alloc(1024));
    }
    expect(await loadCheckpoint(runDir, 'last')).toBeNull();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(staleBest)).toBe(false);
    expect(existsSync(mine)).toBe(true);
    expect(await cleanStaleCheckpointTemps(runDir)).toEqual([]);
  });
});
