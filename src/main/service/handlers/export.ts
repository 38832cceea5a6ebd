import { initBackend } from '../../engine/backend';
import path from 'node:path';
import type { LabHandlers } from '../../../shared/contract';
import type { ExportFormat, Prediction } from '../../../shared/dto';
import { LabError } from '../../../shared/errors';
import { msg } from '../../../shared/messages';
import { openSplit, readSplitRows } from '../../datasets/split-on-disk';
import { exportModel, type EvaluationData } from '../../export/export-model';
import { DEFAULT_CALIBRATION_IMAGES, type CalibrationData } from '../../export/tflite/write-tflite-export';
import { preprocessingFor } from '../../models/preprocessing';
import { predictImages } from '../../predict/predict-images';
import { serveModelHandlers, type ServeModelHandlers } from '../../serve-model/serve-handlers';
import { resolvePredictModel } from '../../predict/resolve-model';
import { loadRunModel, readRun } from '../../runs';
import type { TrainConfig } from '../../../shared/config';
import type { ServiceContext } from '../context';
import { explainPredictions } from '../../explain/explain-images';

export type ExportHandlers = Pick<LabHandlers, 'runs.export' | 'models.predict' | 'models.cancelPredict'> & ServeModelHandlers;

/** At most this many test images are run twice to measure what quantisation costs. */
const MAX_EVAL_IMAGES = 2000;

/** The run's test split (or validation split if it has no test images), its first `max` images, when its decoded cache can be read. */
export async function evaluationData(ctx: Pick<ServiceContext, 'ws'>, config: TrainConfig, classes: string[], max = MAX_EVAL_IMAGES): Promise<{ data?: EvaluationData; note?: string }> {
  for (const split of ['test', 'val'] as const) {
    try {
      // The split stays in the decoded cache: only the images measured on are read.
      const arr = await openSplit(ctx.ws, config.datasetId, config.input, split);
      if (arr.classes.join('\n') !== classes.join('\n')) return { note: 'The dataset\'s classes changed since training, so the quantised accuracy was not measured.' };
      if (!arr.n) continue;
      const n = Math.min(arr.n, max);
      const pixels = await readSplitRows(arr, Int32Array.from({ length: n }, (_, i) => i));
      return { data: { pixels, labels: Array.from(arr.y.subarray(0, n)) }, note: `Quantised accuracy measured on ${n} ${split} images.` };
    } catch (err) {
      return { note: `The quantised accuracy was not measured: ${(err as Error).message}` };
    }
  }
  return { note: 'The run\'s dataset has no test or validation images, so the quantised accuracy was not measured.' };
}

/** Up to n training images spread evenly over the split: what an int8 TFLite export is calibrated on. */
export async function calibrationData(ctx: Pick<ServiceContext, 'ws'>, config: TrainConfig, n: number): Promise<CalibrationData | undefined> {
  try {
    const arr = await openSplit(ctx.ws, config.datasetId, config.input, 'train');
    if (!arr.n) return undefined;
    const m = Math.min(n, arr.n);
    // Only those images are read from the decoded cache.
    const pixels = await readSplitRows(arr, Int32Array.from({ length: m }, (_, i) => Math.floor((i * arr.n) / m)));
    return { pixels, n: m };
  } catch {
    // No readable cache: the export goes on without calibration images, as it always has.
    return undefined;
  }
}

function defaultOutDir(ctx: ServiceContext, runId: string, format: ExportFormat, quantize: string): string {
  return path.join(ctx.ws.runDir(runId), 'export', quantize === 'none' ? format : `${format}-${quantize}`);
}

/** `dispose` stops the prediction API server, if one is serving. */
export function exportHandlers(ctx: ServiceContext): ExportHandlers & { dispose(): Promise<void> } {
  const { dispose, ...serving } = serveModelHandlers(ctx);
  /** models.predict calls that named a jobId, so models.cancelPredict can stop them. */
  const predictJobs = new Map<string, AbortController>();
  return {
    ...serving,
    dispose,
    'runs.export': async (req) => {
      await initBackend();
      const detail = await readRun(ctx.ws, req.runId);
      if (!detail.hasModel) throw new LabError('NOT_FOUND', msg('error.run.noModelExport', { name: detail.name }));
      const model = await loadRunModel(ctx.ws, req.runId);
      try {
        const evaluation = req.quantize !== 'none' ? await evaluationData(ctx, detail.config, detail.classes) : {};
        const calibration = req.format === 'tflite' && req.quantize === 'int8' ? await calibrationData(ctx, detail.config, req.calibration ?? DEFAULT_CALIBRATION_IMAGES) : undefined;
        const result = await exportModel(model, {
          format: req.format,
          outDir: req.outDir ? path.resolve(req.outDir) : defaultOutDir(ctx, req.runId, req.format, req.quantize),
          labels: detail.classes,
          preprocessing: preprocessingFor(detail.config),
          modelName: detail.name,
          quantize: req.quantize,
          guard: { ws: ctx.ws, allowInside: [path.join(ctx.ws.runDir(req.runId), 'export')] },
          ...(evaluation.data ? { evaluation: evaluation.data } : {}),
          ...(calibration ? { calibration } : {}),
        });
        if (evaluation.note) result.notes = [...(result.notes ?? []), evaluation.note];
        return result;
      } finally {
        model.dispose();
      }
    },
    'models.predict': async (req) => {
      await initBackend();
      const jobId = req.jobId;
      const controller = new AbortController();
      if (jobId) {
        predictJobs.get(jobId)?.abort();
        predictJobs.set(jobId, controller);
      }
      try {
        const resolved = await resolvePredictModel(ctx.ws, req.model);
        try {
          const started = performance.now();
          let shown = 0;
          let unsent: Prediction[] = [];
          const onProgress = (done: number, total: number): void => {
            const now = performance.now();
            if (done < total && now - shown < 100) return;
            shown = now;
            if (unsent.length) {
              ctx.emit({ type: 'predict.results', ...(jobId ? { jobId } : {}), results: unsent });
              unsent = [];
            }
            const ratePerS = done / Math.max(1e-3, (now - started) / 1000);
            ctx.emit({ type: 'predict.progress', done, total, ratePerS, etaS: ratePerS > 0 ? (total - done) / ratePerS : null, ...(jobId ? { jobId } : {}) });
          };
          const onResults = (finished: Prediction[]): void => {
            unsent.push(...finished);
          };
          const preds = await predictImages(resolved.model, resolved.labels, resolved.preprocessing, req.paths, { topK: req.topK, multiCrop: req.multiCrop, preview: req.preview, onProgress, onResults, signal: controller.signal });
          if (req.heatmap) await explainPredictions(resolved.model, resolved.labels, resolved.preprocessing, preds);
          return preds;
        } finally {
          resolved.model.dispose();
        }
      } finally {
        if (jobId && predictJobs.get(jobId) === controller) predictJobs.delete(jobId);
      }
    },
    'models.cancelPredict': async (jobId) => {
      const job = predictJobs.get(jobId);
      if (!job) return { cancelled: false };
      job.abort();
      return { cancelled: true };
    },
  };
}
