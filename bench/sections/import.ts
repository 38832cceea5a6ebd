// Dataset import speed: scan + validate + decoded cache of the Fashion-MNIST training PNGs at 28×28, against the
// peer's PIL loading loop (the `load` of ../shared/peers/torch_ref.py, timed alone). Opt-in with --import or --e2e.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { benchImport } from '../../src/main/datasets';
import { openWorkspace } from '../../src/main/workspace';
import { PYTHON } from '../lib/peer';
import type { BenchContext, BenchSection, Row, SectionResult } from '../lib/section';
import { ensureData } from './e2e';

// The same loop as torch_ref.py's load(): PIL open → convert('L') → resize → numpy, for every file of every class.
const PIL_LOOP = `
import os, sys, time, numpy as np
from PIL import Image
root = sys.argv[1]; t0 = time.time(); n = 0
for c in sorted(os.listdir(root)):
    for f in sorted(os.listdir(os.path.join(root, c))):
        im = Image.open(os.path.join(root, c, f)).convert('L').resize((28, 28))
        np.asarray(im, dtype=np.uint8).reshape(28, 28, 1); n += 1
print(n, time.time() - t0)
`;

export const section: BenchSection = {
  name: 'import',
  description: 'import of 60,000 Fashion-MNIST PNGs (scan + validate + cache at 28×28) vs the peer\'s PIL loop (opt-in: --import)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    if (!ctx.args.e2e && !('import' in ctx.args.flags) && !(ctx.args.only ?? []).includes('import')) {
      ctx.log('import: skipped (pass --import or --only import)');
      return { rows: [], json: { skipped: true } };
    }
    const dir = path.resolve(ctx.args.flags['e2e-data'] ?? process.env.LAB_BENCH_DATA ?? path.join(os.tmpdir(), 'lab-bench-fmnist'));
    await ensureData(ctx, dir);
    const train = path.join(dir, 'train');
    const home = mkdtempSync(path.join(os.tmpdir(), 'lab-bench-import-'));
    try {
      const lab = await benchImport(train, openWorkspace(home));
      let pil: { images: number; seconds: number } | null = null;
      try {
        const { stdout } = await promisify(execFile)(PYTHON, ['-c', PIL_LOOP, train], { maxBuffer: 1 << 20 });
        const [n, s] = stdout.trim().split(/\s+/).map(Number);
        pil = { images: n!, seconds: s! };
      } catch (err) {
        ctx.log(`import: PIL loop skipped (${(err as Error).message.split('\n')[0]})`);
      }
      const row: Row = {
        images: lab.images,
        labImagesPerS: Math.round(lab.imagesPerS),
        labSeconds: Number(lab.seconds.toFixed(1)),
        labRssMiB: Math.round(lab.rssMiB),
        pilImagesPerS: pil ? Math.round(pil.images / pil.seconds) : null,
        ratio: pil ? Number((lab.imagesPerS / (pil.images / pil.seconds)).toFixed(2)) : null,
      };
      ctx.log(`  import: lab ${row.labImagesPerS}/s vs PIL ${row.pilImagesPerS ?? '–'}/s (×${row.ratio ?? '–'})`);
      return { rows: [row], json: row };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  },
};
