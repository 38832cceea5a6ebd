/** `python3 -m labjob probe` tells the lab (and `lab doctor`) what this Python can run: one JSON line. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasTorch, LABJOB_SOURCE, torchPython } from './test-support/labjob-fixture';

describe.skipIf(!hasTorch())('labjob probe', () => {
  it('reports Python, PyTorch, CUDA devices and the distributed backends', () => {
    const py = torchPython();
    if (!('python' in py)) throw new Error(py.reason);
    const r = spawnSync(py.python, ['-m', 'labjob', 'probe'], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: path.dirname(LABJOB_SOURCE), PYTHONDONTWRITEBYTECODE: '1' }, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const info = JSON.parse(lines[0]!) as { python: string; torch: string | null; cuda: boolean; devices: unknown[]; nccl: boolean; gloo: boolean; numpy: boolean };
    expect(info.python).toMatch(/^3\.\d+\.\d+$/);
    expect(info.torch).toMatch(/^\d+\.\d+/);
    expect(info.numpy).toBe(true);
    // The CPU build here: gloo for local ranks; no CUDA device, so no NCCL.
    expect(info.gloo).toBe(true);
    expect(info.devices.length > 0).toBe(info.cuda);
    if (!info.cuda) expect(info.nccl).toBe(false);
  });
});
