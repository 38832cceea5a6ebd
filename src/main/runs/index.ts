export { createRun, readRunSummary, recordRunBackend, setRunStatus, listRuns, readRun, readRunConfig, deleteRun, renameRun, saveModel, loadRunModel, saveEvaluation, MAX_BATCH_POINTS } from './run-store';
export { appendMetric, readMetrics, updateRunProgress, type MetricRecord, type RunConfigFile, type RunFile } from './run-files';
