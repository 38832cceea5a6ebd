/** Appends every finished batch and epoch to the run's metrics.jsonl before anything reports it. */
import { appendMetric } from '../../runs/run-files';
import { CALLBACK_ORDER, type Callback } from './callback';

export function metricsLog(): Callback {
  return {
    name: 'metrics-log',
    order: CALLBACK_ORDER.metricsLog,
    batchEnd(loop) {
      if (loop.batchLog) appendMetric(loop.runDir, { kind: 'batch', ...loop.batchLog });
    },
    epochEnd(loop) {
      if (loop.epochLog) appendMetric(loop.runDir, { kind: 'epoch', ...loop.epochLog });
    },
  };
}
