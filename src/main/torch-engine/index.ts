/** The PyTorch engine: a run trained as a DistributedDataParallel job and brought back as a normal run. */
export { trainWithTorch, torchCheckpointFile, type TorchTrainOptions, type TorchTrainResult } from './torch-train';
export { writeJob, jobDirOf, labjobSource, JOB_DIR, JOB_FILE, type JobFile } from './job-writer';
export { findPython, probeTorch, type TorchProbe } from './python';
export { torchDoctorChecks } from './doctor';
