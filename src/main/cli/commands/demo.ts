/** `npm run demo`: the lab's main job on the bundled sample — import, train a small CNN, evaluate, export, predict. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { TrainConfigInput } from '../../../shared/config';
import { sampleDir } from '../../install-paths';
import type { CliContext } from '../context';
import { describeDataset, importWithProgress } from '../dataset-arg';
import { describeRun } from '../describe-run';
import { buildTrainConfig } from '../train-config';
import { watchRun } from '../watch-run';

export const SAMPLE_DIR = sampleDir();

/** Fashion-MNIST is 28×28 grayscale: a two-block CNN with batch norm learns it in a few epochs on a CPU. */
export const DEMO_CONFIG: Omit<TrainConfigInput, 'datasetId'> = {
  name: 'demo: small CNN on the Fashion-MNIST sample',
  input: { size: 28, channels: 1, fit: 'squash' },
  model: {
    kind: 'cnn',
    blocks: [
      { filters: 16, kernel: 3, batchNorm: true, pool: 'max' },
      { filters: 32, kernel: 3, batchNorm: true, pool: 'max' },
    ],
    headDropout: 0.5,
  },
  optimizer: { name: 'adam', lr: 2e-3 },
  epochs: 8,
  batchSize: 32,
  earlyStopping: { enabled: true, monitor: 'val_loss', patience: 3, restoreBest: true },
};

export async function demoCommand(ctx: CliContext, flags: { epochs?: string; out?: string }): Promise<void> {
  ctx.out.emit({ type: 'info', message: `Sample dataset: ${SAMPLE_DIR} (Fashion-MNIST subset, Zalando Research, MIT licence)` });
  const dataset = await importWithProgress(ctx, [SAMPLE_DIR], 'Fashion-MNIST sample');
  ctx.out.text(describeDataset(dataset));
  const config = await buildTrainConfig(dataset.id, { ...(flags.epochs ? { epochs: flags.epochs } : {}) }, DEMO_CONFIG);
  const run = await ctx.lab.call('runs.start', config);
  const detail = await watchRun(ctx, run.id, config.epochs);
  const runDir = ctx.service.ctx.ws.runDir(run.id);
  ctx.out.text(describeRun(detail, runDir));
  const exported = await ctx.lab.call('runs.export', { runId: run.id, format: 'tfjs', quantize: 'none', ...(flags.out ? { outDir: path.resolve(flags.out) } : {}) });

  // Close the loop: classify one held-out image with the exported model, the way a user of the export would.
  const testRoot = path.join(SAMPLE_DIR, 'test');
  const cls = readdirSync(testRoot).sort()[0] as string;
  const image = path.join(testRoot, cls, readdirSync(path.join(testRoot, cls)).sort()[0] as string);
  const [pred] = await ctx.lab.call('models.predict', { model: exported.dir, paths: [image], topK: 3 });
  ctx.out.emit({ type: 'result', runId: run.id, status: detail.status, testAccuracy: detail.testAccuracy, exportDir: exported.dir, files: exported.files, prediction: pred });
  ctx.out.text(
    [
      `Exported the model (tfjs layers format) to ${exported.dir}`,
      ...exported.files.map((f) => `  ${f}`),
      pred && !pred.error ? `Exported model on ${path.relative(SAMPLE_DIR, image)} (a ${cls}): ${pred.top.map((t) => `${t.label} ${(t.probability * 100).toFixed(1)}%`).join(', ')}` : '',
      `Use it outside the lab: cd ${path.join(exported.dir, 'example')} && npm install && node predict.mjs <image.png>  (see README.md there)`,
    ].join('\n'),
  );
}
