/** Data that crosses the LabApi boundary. Plain JSON only. */
import type { LabErrorData } from './errors';
import type { LabMessage } from './messages';
import type { InputConfig, TrainConfig } from './config';
import type { EngineName } from './engine-options';
import type { AugmentParams, AugmentPreset, AugmentWarning, ResolvedAugment } from './augment-config';

export type SplitName = 'train' | 'val' | 'test';
export type DatasetLayout = 'class-folders' | 'pre-split' | 'csv';

export interface BackendCandidate {
  name: 'tensorflow-gpu' | 'tensorflow' | 'onednn' | 'wasm' | 'cpu-fast' | 'cpu';
  /** npm package that provides it */
  package: string;
  loaded: boolean;
  /** Why it did not load (or was not chosen), in words a person can act on. */
  reason?: string;
  /** `reason` as a translatable message. */
  reasonMsg?: LabMessage;
}

export interface BackendInfo {
  /** tfjs backend name actually in use (tensorflow, wasm, cpu…) */
  name: string;
  /** Human label, e.g. "TensorFlow GPU (CUDA)", "CPU (fast kernels, 2 threads)" */
  label: string;
  /** `label` as a translatable message. */
  labelMsg?: LabMessage;
  device: 'gpu' | 'cpu';
  threads: number;
  candidates: BackendCandidate[];
  /** Set when LAB_BACKEND forced the choice. */
  forcedBy?: string;
}

export interface DoctorReport {
  version: string;
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  memoryGiB: number;
  workspace: string;
  backend: BackendInfo;
  sharp: string;
  /** `nameMsg`/`detailMsg`: the same texts as translatable messages. */
  checks: { name: string; ok: boolean; detail: string; nameMsg?: LabMessage; detailMsg?: LabMessage }[];
}

export interface FileProblem {
  path: string;
  reason:
    | 'empty'
    | 'corrupt'
    | 'not-an-image'
    | 'unsupported-format'
    | 'too-large'
    | 'unreadable'
    | 'symlink-loop'
    | 'wrong-extension'
    | 'duplicate'
    | 'label-conflict'
    | 'split-leak';
  /** What is wrong and what to do about it. */
  message: string;
  /** `message` as a translatable message. */
  msg?: LabMessage;
  /** Whether the file was left out of training because of it. */
  excluded: boolean;
}

export interface ClassSummary {
  name: string;
  counts: Record<SplitName, number>;
}

export interface LayoutPreview {
  paths: string[];
  layout: DatasetLayout;
  classes: string[];
  files: number;
  warnings: string[];
  /** `warnings` as translatable messages, same order. */
  warningMsgs?: LabMessage[];
}

export interface DatasetSummary {
  id: string;
  name: string;
  paths: string[];
  layout: DatasetLayout;
  classes: ClassSummary[];
  images: number;
  problems: FileProblem[];
  warnings: string[];
  /** `warnings` as translatable messages, same order. */
  warningMsgs?: LabMessage[];
  createdAt: string;
  updatedAt: string;
  /** Image statistics and advice drawn from them (absent in manifests written before they existed). */
  stats?: DatasetStats;
}

export interface HistogramBin {
  /** inclusive lower edge */
  from: number;
  /** exclusive upper edge */
  to: number;
  count: number;
}

export interface DatasetStats {
  /** images of the largest class / images of the smallest class (usable images) */
  imbalanceRatio: number;
  widths: HistogramBin[];
  heights: HistogramBin[];
  /** width / height */
  aspectRatios: HistogramBin[];
  /** bytes */
  fileSizes: HistogramBin[];
  medianWidth: number | null;
  medianHeight: number | null;
  /** channels in the files: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA */
  channels: Record<string, number>;
  formats: Record<string, number>;
  problemsByReason: Record<string, number>;
  suggestedInputSize: number;
  suggestedChannels: 1 | 3;
  /** Sentences in the spirit of the source document (model size for the data size, imbalance). */
  advice: string[];
  /** `advice` as translatable messages, same order. */
  adviceMsgs?: LabMessage[];
}

export interface ImportRequest {
  paths: string[];
  name?: string;
  split?: { val: number; test: number; seed: number };
  /** Caller-chosen id echoed in import.progress / import.done and accepted by datasets.cancelImport. */
  jobId?: string;
  /** Build the decoded cache for this training input during the import. */
  input?: InputConfig;
}

export interface SampleQuery {
  datasetId: string;
  className?: string;
  split?: SplitName;
  status?: 'ok' | 'bad' | 'duplicate' | 'excluded';
  search?: string;
  sort?: 'index' | 'name' | 'class' | 'size' | 'width' | 'height';
  desc?: boolean;
  offset: number;
  limit: number;
}

export interface SampleItem {
  /** Index of the file in the dataset manifest; images are addressed by (datasetId, index), never by path. */
  index: number;
  name: string;
  path: string;
  className: string;
  split: SplitName;
  status: 'ok' | 'bad' | 'duplicate' | 'excluded';
  width?: number;
  height?: number;
  /** The label the folder or list gave, when the user changed it inside the lab. */
  labelledAs?: string;
  /** Why the file is bad or left out (the first problem), for the inspector. */
  problem?: { reason: FileProblem['reason']; message: string; msg?: LabMessage };
  /** For duplicates, label conflicts and split leaks: the index of the other copy. */
  duplicateOf?: number;
}

export interface SampleEdit {
  index: number;
  excluded?: boolean;
  className?: string | null;
}

export interface EditSamplesRequest {
  datasetId: string;
  edits: SampleEdit[];
}

export interface SamplePage {
  total: number;
  items: SampleItem[];
}

export type RunStatus = 'queued' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

export interface BatchLog {
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  accuracy: number;
  lr: number;
}

export interface EpochLog {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  lr: number;
  /** Wall time of the epoch: its batches and its validation pass. */
  durationS: number;
  /** Training images per second of the epoch's batches (the validation pass excluded, as peers count theirs). */
  imagesPerS: number;
  /** Early stopping state after this epoch. */
  bestEpoch: number | null;
  patienceLeft: number | null;
}

export interface RunSummary {
  id: string;
  name: string;
  status: RunStatus;
  datasetId: string;
  datasetName: string;
  createdAt: string;
  finishedAt?: string;
  epochs: number;
  epochsDone: number;
  bestEpoch: number | null;
  bestValAccuracy: number | null;
  bestValLoss: number | null;
  testAccuracy: number | null;
  backend: string;
  /** 'torch' when the run trains as a PyTorch job (absent: the lab's own engine). */
  engine?: EngineName;
  tags: string[];
  error?: LabErrorData;
  /** A checkpoint exists and the run did not finish (stopped, or interrupted by a kill): it can be resumed. */
  resumable?: boolean;
}

export interface RunDetail extends RunSummary {
  config: TrainConfig;
  classes: string[];
  epochLogs: EpochLog[];
  /** Batch logs, downsampled to at most a few thousand points for the chart. */
  batchLogs: BatchLog[];
  evaluation: Evaluation | null;
  hasModel: boolean;
}

export interface ClassMetrics {
  name: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Misclassified {
  index: number;
  path: string;
  label: string;
  predicted: string;
  probabilities: number[];
}

export interface Evaluation {
  split: SplitName;
  loss: number;
  accuracy: number;
  topK: { k: number; accuracy: number }[];
  classes: string[];
  perClass: ClassMetrics[];
  /** confusion[actual][predicted] */
  confusion: number[][];
  misclassified: Misclassified[];
  /** Accuracy with test-time crops (four corners + centre, predictions averaged), when evaluated that way. */
  tta?: { crops: number; accuracy: number; loss?: number } | null;
}

export interface Preprocessing {
  input: InputConfig;
  /** x = pixel / 255 (unit) or x = pixel / 127.5 − 1 (symmetric) */
  normalization: 'unit' | 'symmetric';
  channelOrder: 'RGB' | 'L';
  layout: 'NHWC';
}

export type ExportFormat = 'tfjs' | 'teachable-machine' | 'onnx' | 'tflite';

export interface ExportRequest {
  runId: string;
  format: ExportFormat;
  outDir?: string;
  /** int8: full-integer TFLite, calibrated on `calibration` training images. */
  quantize?: 'none' | 'float16' | 'uint8' | 'int8';
  calibration?: number;
}

export interface ExportResult {
  format: ExportFormat;
  dir: string;
  files: string[];
  /** The written export loaded back and compared with the lab's model on the same inputs. */
  verified?: { samples: number; maxAbsDiff: number; sameTop1: boolean };
  quantization?: QuantizationReport;
  /** Things the user should know (layers converted, preprocessing caveats). */
  notes?: string[];
  /** `notes` as translatable messages, same order. */
  noteMsgs?: LabMessage[];
}

/** The local prediction API (`lab serve-model`, the run page's Serve button). */
export interface ServingStatus {
  serving: boolean;
  /** e.g. http://127.0.0.1:8765 — POST images to `${url}/v1/predict`. */
  url?: string;
  /** The run id or export folder being served. */
  model?: string;
  labels?: string[];
  tokenRequired?: boolean;
}

export interface QuantizationReport {
  mode: 'float16' | 'uint8' | 'int8';
  /** Training images the int8 ranges were calibrated on. */
  calibrated?: number;
  /** Share of the evaluated images whose top-1 class is the same as the unquantised model's. */
  top1Agreement?: number;
  /** Weight bytes without and with quantisation (tflite: the whole file, float32 against quantised). */
  bytesBefore: number;
  bytesAfter: number;
  /** Accuracy on the evaluation data (the run's test split), when given. */
  evaluated?: number;
  accuracyBefore?: number;
  accuracyAfter?: number;
  maxProbabilityDiff?: number;
}

export interface PredictRequest {
  /** A run id or a folder holding an exported model. */
  model: string;
  paths: string[];
  topK?: number;
  multiCrop?: boolean;
  preview?: boolean;
  /** A heatmap of where the model looked for its top class, per image. */
  heatmap?: boolean;
  /** Matches predict.progress / predict.results events; models.cancelPredict(jobId) stops the call. */
  jobId?: string;
}

export interface Prediction {
  path: string;
  top: { label: string; probability: number }[];
  /** Every class's probability, in label order (for CSV and charts). */
  probabilities?: number[];
  /** The preprocessed input as the model saw it, as a PNG data URL (when asked for). */
  preview?: string;
  /** Where the model looked for its top class (LayerCAM, a Grad-CAM variant, on the last convolutional block), when asked for. */
  heatmap?: PredictionHeatmap;
  /** Why there is no heatmap (e.g. an MLP has no feature map), when one was asked for. */
  heatmapError?: LabErrorData;
  error?: LabErrorData;
}

export interface PredictionHeatmap {
  /** The class explained (the top prediction). */
  label: string;
  /** The layer whose feature map was weighted. */
  layer: string;
  /** The heat alone: RGBA PNG data URL, transparent where the model did not look (lay it over `preview`). */
  heat: string;
  /** The heat composited over the model's input at half opacity: PNG data URL. */
  overlay: string;
}

export interface Settings {
  locale: 'auto' | 'en' | 'zh-CN';
  theme: 'auto' | 'light' | 'dark';
  recentDatasets: string[];
}

export interface AppInfo {
  version: string;
  workspace: string;
  shell: 'electron' | 'browser' | 'cli';
  backend: BackendInfo | null;
  /** The bundled Fashion-MNIST sample folder (Home offers it to a new user); absent when not shipped. */
  samplePath?: string;
}

/* ── augment.* results ───────────────────────────────────────────────────────────────────────────────── */

export interface AugmentPresetInfo {
  name: AugmentPreset;
  /** Every parameter the preset sets. */
  settings: ResolvedAugment;
}

export interface AugmentPreviewVersion {
  epoch: number;
  /** PNG data URL */
  image: string;
  params: AugmentParams;
}

export interface AugmentPreviewItem {
  index: number;
  className: string;
  /** PNG data URL of the image as the model gets it without augmentation. */
  original: string;
  versions: AugmentPreviewVersion[];
}

export interface AugmentPreview {
  datasetId: string;
  size: number;
  channels: 1 | 3;
  settings: ResolvedAugment;
  warnings: AugmentWarning[];
  items: AugmentPreviewItem[];
  elapsedMs: number;
}

export interface AugmentBatchItem {
  index: number;
  className: string;
  image: string;
  /** Soft label after mixup (class name → weight, weights sum to 1); one entry of weight 1 without mixup. */
  label: { className: string; weight: number }[];
}

export interface AugmentBatchPreview {
  epoch: number;
  batch: number;
  batchesPerEpoch: number;
  size: number;
  channels: 1 | 3;
  mixupLambda: number | null;
  items: AugmentBatchItem[];
  warnings: AugmentWarning[];
}

export interface AugmentWriteResult {
  dir: string;
  files: number;
  images: number;
}

// Guided tuning and hyperparameter search (schemas and state live in ./tuning).
export type { TuneState, TuneStepResult, TuneStepNumber, TuneVerdict, TuneStatus, LrRangeResult, LrRangePoint, GridCell, SearchState, SearchRow, SearchSetting, SearchRowStatus, TuningState, TuningSummary } from './tuning';

/* ── concepts.* results (computed by the engine's own layers on a tiny network) ──────────────────────── */

export interface DropoutDemo {
  p: number;
  /** The dense ReLU layer's activations, one per unit (inference mode: Dropout is the identity). */
  inference: number[];
  /** The same activations through Dropout in training mode: dropped units 0, survivors ×1/(1−p). */
  training: number[];
  /** Per unit, the training-mode output averaged over `trials` independent masks (→ inference). */
  trainingAverage: number[];
  trials: number;
  /** Mean over units in each mode: inverted dropout keeps the expected value. */
  meanInference: number;
  meanTraining: number;
  /** Units zeroed by the mask among those active at inference. */
  droppedFraction: number;
  /** Which tfjs backend computed it. */
  backend: string;
}

export interface BatchNormDemo {
  batchSize: number;
  features: number;
  /** Row-major [batchSize][features] values of the last batch, before BN. */
  before: number[][];
  /** After the engine's SeedBatchNorm in training mode (batch statistics). */
  training: number[][];
  /** After the same layer in inference mode (moving statistics after `steps` training calls). */
  inference: number[][];
  /** Per feature: the last batch's mean and biased variance σ²_B. */
  batchMean: number[];
  batchVariance: number[];
  /** Per feature: the layer's moving statistics (unbiased m/(m−1)·σ²_B folded into the EMA). */
  movingMean: number[];
  movingVariance: number[];
  gamma: number[];
  beta: number[];
  epsilon: number;
  momentum: number;
  steps: number;
  /** The training engine's batch-size-1 warning, or null. */
  warning: string | null;
  warningMsg?: LabMessage;
  backend: string;
}

/** A layer of a backbone that a new head can go on (models.cutLayers), last (most specific) first. */
export interface CutLayerInfo {
  name: string;
  className: string;
  /** output shape without the batch dimension: [h, w, c] feature maps or [n] vectors */
  shape: number[];
  /** where the head goes when model.cutLayer is not set */
  isDefault: boolean;
}

/** A backbone the Train form and `lab backbones` offer: the bundled one, or a catalogue entry downloaded on demand. */
export interface BackboneInfo {
  /** the value for model.backbone: "builtin:mobilenetv2" or "catalog:<id>" */
  backbone: string;
  id: string;
  name: { en: string; 'zh-CN': string };
  state: 'bundled' | 'downloaded' | 'partial' | 'missing';
  inputSize: number;
  channels: 1 | 3;
  scaling: 'symmetric' | 'unit';
  defaultCut: string | null;
  /** approximate download size in bytes (0 for the bundled one) */
  approxBytes: number;
  /** where it is downloaded from (null for the bundled one) */
  url: string | null;
  /** from the workspace's backbones/catalog.json rather than the built-in catalogue */
  userAdded: boolean;
}
