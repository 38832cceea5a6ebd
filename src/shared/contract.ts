/**
 * The LabApi contract: every call the shells may make, declared once with a zod schema for its
 * arguments, and the type of its result. Electron IPC and the WebSocket server bind it generically.
 */
import { z } from 'zod';
import { InputConfigSchema, TrainConfigSchema } from './config';
import { EngineOptionsSchema } from './engine-options';
import { SearchRequestSchema, TuneRequestSchema } from './tuning';
import type { TuningState, TuningSummary } from './tuning';
import { AugmentBatchRequestSchema, AugmentPreviewRequestSchema, AugmentWriteRequestSchema } from './augment-config';
import { CaptureToDatasetSchema, DeleteFrameRequestSchema, FramesQuerySchema, SaveFrameRequestSchema } from './capture';
import type { CaptureSummary, CapturedFrame } from './capture';
import { ExplainImagesRequestSchema, LiveOpenRequestSchema, LivePredictRequestSchema } from './live';
import type { ExplainedImage, LiveModelInfo, LivePrediction } from './live';
import type {
  AppInfo,
  AugmentBatchPreview,
  AugmentPresetInfo,
  AugmentPreview,
  AugmentWriteResult,
  BatchNormDemo,
  CutLayerInfo,
  BackboneInfo,
  DatasetSummary,
  DropoutDemo,
  DoctorReport,
  Evaluation,
  ExportResult,
  LayoutPreview,
  Prediction,
  RunDetail,
  RunSummary,
  SamplePage,
  Settings,
  ServingStatus,
} from './dto';

const id = z.string().min(1).max(200);
const splitName = z.enum(['train', 'val', 'test']);

export const ImportRequestSchema = z.object({
  paths: z.array(z.string().min(1)).min(1, 'give at least one folder'),
  name: z.string().max(200).optional(),
  split: z.object({ val: z.number().min(0).lt(1), test: z.number().min(0).lt(1), seed: z.number().int() }).optional(),
  /** Chosen by the caller so it can match import.progress events and cancel before the call returns. */
  jobId: z.string().min(1).max(100).optional(),
  /** Build the decoded cache for this training input during the import (each image is then decoded once). */
  input: InputConfigSchema.optional(),
});

export const SampleQuerySchema = z.object({
  datasetId: id,
  className: z.string().optional(),
  split: splitName.optional(),
  status: z.enum(['ok', 'bad', 'duplicate', 'excluded']).optional(),
  search: z.string().optional(),
  /** default: manifest order (class folder, then path) */
  sort: z.enum(['index', 'name', 'class', 'size', 'width', 'height']).optional(),
  desc: z.boolean().optional(),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(5000).default(200),
});

/** Exclude or relabel images inside the lab (the files are never touched); undo = the opposite edit. */
export const EditSamplesSchema = z.object({
  datasetId: id,
  edits: z
    .array(
      z.object({
        index: z.number().int().min(0),
        /** true: leave out of training; false: take back in */
        excluded: z.boolean().optional(),
        /** a class name (existing or new); null: back to the label the folder or list gave */
        className: z.string().trim().min(1).max(200).nullable().optional(),
      }),
    )
    .min(1)
    .max(100000),
});

export const ExportRequestSchema = z.object({
  runId: id,
  format: z.enum(['tfjs', 'teachable-machine', 'onnx', 'tflite']).default('tfjs'),
  outDir: z.string().optional(),
  quantize: z.enum(['none', 'float16', 'uint8', 'int8']).default('none'),
  /** Training images an int8 TFLite export is calibrated on. */
  calibration: z.number().int().min(1).max(10000).optional(),
});

export const PredictRequestSchema = z.object({
  model: z.string().min(1),
  paths: z.array(z.string().min(1)).min(1),
  topK: z.number().int().min(1).max(100).default(3),
  /** Average over four corner crops + the centre crop (test-time augmentation). */
  multiCrop: z.boolean().default(false),
  /** Return each image as the model sees it (after resize/crop/greyscale) as a PNG data URL. */
  preview: z.boolean().default(false),
  /** Add a heatmap of where the model looked for its top class (LayerCAM, a Grad-CAM variant; CNN, ResNet and transfer models). */
  heatmap: z.boolean().default(false),
  /** Chosen by the caller so it can match predict.progress / predict.results events and cancel (models.cancelPredict). */
  jobId: z.string().min(1).max(100).optional(),
});

/** `lab serve-model` / the Serve button: a run id or an export folder behind a local HTTP prediction API. */
export const ServeModelRequestSchema = z.object({
  model: z.string().min(1),
  /** 0: any free port. */
  port: z.number().int().min(0).max(65535).default(0),
  /** Default 127.0.0.1; any other address needs a token. */
  host: z.string().min(1).optional(),
  token: z.string().min(16).max(512).optional(),
});

/** Concept lab: a tiny dense ReLU layer's activations through the engine's Dropout layer (tfjs, inverted dropout). */
export const DropoutDemoRequestSchema = z.object({
  /** Drop probability (tfjs's rate), not the keep probability. */
  p: z.number().min(0).lt(1),
  units: z.number().int().min(1).max(256).default(16),
  /** Seeds the layer's weights and input. */
  seed: z.number().int(),
  /** Seeds the dropout mask (default seed + 1): a new mask over the same activations. */
  maskSeed: z.number().int().optional(),
  /** Width of the layer's input vector. */
  inputs: z.number().int().min(1).max(64).default(8),
  /** Training-mode passes averaged per unit (each with its own mask), to show E[train] = test. */
  trials: z.number().int().min(1).max(2000).default(500),
});

/** Concept lab: a batch from N(shift, scale²) through the engine's SeedBatchNorm in training and inference mode. */
export const BatchNormDemoRequestSchema = z
  .object({
    batchSize: z.number().int().min(1).max(256),
    features: z.number().int().min(1).max(16).default(1),
    seed: z.number().int(),
    shift: z.number().min(-100).max(100).default(0),
    scale: z.number().positive().max(100).default(1),
    /** α: weight of the old running statistic. */
    momentum: z.number().min(0).lt(1).default(0.9),
    /** Training calls (each on a fresh batch) before the last batch is shown in both modes. */
    steps: z.number().int().min(1).max(500).default(100),
    gamma: z.number().min(-10).max(10).default(1),
    beta: z.number().min(-10).max(10).default(0),
    epsilon: z.number().positive().max(1).optional(),
  })
  .refine((r) => r.batchSize * r.features <= 256, { message: 'batchSize × features must be at most 256 (a tiny demo batch)', path: ['batchSize'] });

export const SettingsPatchSchema = z
  .object({
    locale: z.enum(['auto', 'en', 'zh-CN']),
    theme: z.enum(['auto', 'light', 'dark']),
  })
  .partial();

/** Argument schemas, one tuple per call. */
export const labCalls = {
  'app.info': z.tuple([]),
  'engine.doctor': z.tuple([]),
  'datasets.inspect': z.tuple([z.array(z.string().min(1)).min(1)]),
  'datasets.import': z.tuple([ImportRequestSchema]),
  'datasets.cancelImport': z.tuple([z.string()]),
  'datasets.list': z.tuple([]),
  'datasets.get': z.tuple([id]),
  'datasets.samples': z.tuple([SampleQuerySchema]),
  'datasets.delete': z.tuple([id]),
  'datasets.edit': z.tuple([EditSamplesSchema]),
  /** The experiment, and optionally the engine that trains it (default: the lab's own). */
  'runs.start': z.tuple([TrainConfigSchema, EngineOptionsSchema.optional()]),
  'runs.list': z.tuple([]),
  'runs.get': z.tuple([id]),
  'runs.stop': z.tuple([id]),
  'runs.pause': z.tuple([id]),
  'runs.resume': z.tuple([id]),
  'runs.delete': z.tuple([id]),
  /** A new display name (1–200 characters, trimmed); allowed while the run trains. */
  'runs.rename': z.tuple([id, z.string()]),
  /** On the run's own test split, or on all images of another imported dataset. */
  'runs.evaluate': z.tuple([id, id.optional()]),
  'runs.report': z.tuple([id]),
  'runs.export': z.tuple([ExportRequestSchema]),
  'models.predict': z.tuple([PredictRequestSchema]),
  /** Stops a models.predict started with this jobId (it answers CANCELLED; results already sent stay). */
  'models.cancelPredict': z.tuple([z.string()]),
  'models.serve': z.tuple([ServeModelRequestSchema]),
  'models.stopServing': z.tuple([]),
  'models.serving': z.tuple([]),
  /** The layers of a backbone (built-in id or folder of a tfjs layers model / Teachable Machine export) a head can go on. */
  'models.cutLayers': z.tuple([z.object({ backbone: z.string().min(1).max(4096), size: z.number().int().min(8).max(512) })]),
  /** The bundled backbone and the catalogue of well-known ones downloaded on demand, with their download state. */
  'backbones.list': z.tuple([]),
  /** Downloads a catalogue backbone (resuming a partial one), with backbone.progress events; jobId lets backbones.cancelFetch stop it. */
  'backbones.fetch': z.tuple([z.object({ id: z.string().min(1).max(200), jobId: z.string().min(1).max(100).optional() })]),
  'backbones.cancelFetch': z.tuple([z.string()]),
  /** Load a model for live prediction (kept loaded until another is opened or live.release). */
  'live.open': z.tuple([LiveOpenRequestSchema]),
  /** One camera frame or dropped image through the held model. */
  'live.predict': z.tuple([LivePredictRequestSchema]),
  'live.release': z.tuple([]),
  /** Heatmaps of a run's dataset images (confusion-matrix cell, uncertain images) for the class each was predicted as. */
  'runs.explain': z.tuple([ExplainImagesRequestSchema]),
  'settings.get': z.tuple([]),
  'settings.set': z.tuple([SettingsPatchSchema]),
  'augment.presets': z.tuple([]),
  'augment.preview': z.tuple([AugmentPreviewRequestSchema]),
  'augment.batch': z.tuple([AugmentBatchRequestSchema]),
  'augment.writeCopies': z.tuple([AugmentWriteRequestSchema]),
  'tuning.start': z.tuple([TuneRequestSchema]),
  'tuning.search': z.tuple([SearchRequestSchema]),
  'tuning.get': z.tuple([id]),
  'tuning.list': z.tuple([]),
  'tuning.stop': z.tuple([id]),
  'concepts.dropout': z.tuple([DropoutDemoRequestSchema]),
  'concepts.batchNorm': z.tuple([BatchNormDemoRequestSchema]),
  /** Camera capture: one encoded frame saved into a lab-owned capture (created on its first frame). */
  'capture.saveFrame': z.tuple([SaveFrameRequestSchema]),
  /** Deletes only a frame the lab wrote, unchanged since. */
  'capture.deleteFrame': z.tuple([DeleteFrameRequestSchema]),
  'capture.list': z.tuple([]),
  'capture.frames': z.tuple([FramesQuerySchema]),
  /** Import (or refresh) the capture as a dataset; with mergeWith, a new dataset over an imported one's folders + the capture. */
  'capture.toDataset': z.tuple([CaptureToDatasetSchema]),
} as const;

export type LabCallName = keyof typeof labCalls;

/** Result type of each call. */
export interface LabResults {
  'app.info': AppInfo;
  'engine.doctor': DoctorReport;
  'datasets.inspect': LayoutPreview;
  'datasets.import': DatasetSummary;
  'datasets.cancelImport': { cancelled: boolean };
  'datasets.list': DatasetSummary[];
  'datasets.get': DatasetSummary;
  'datasets.samples': SamplePage;
  'datasets.delete': { deleted: boolean };
  'datasets.edit': DatasetSummary;
  'runs.start': RunSummary;
  'runs.list': RunSummary[];
  'runs.get': RunDetail;
  'runs.stop': RunSummary;
  'runs.pause': RunSummary;
  'runs.resume': RunSummary;
  'runs.delete': { deleted: boolean };
  'runs.rename': RunSummary;
  'runs.evaluate': Evaluation;
  /** A self-contained HTML report (settings, curves, confusion matrix, diagnosis), also saved as report.html in the run folder. */
  'runs.report': { file: string; html: string };
  'runs.export': ExportResult;
  'models.predict': Prediction[];
  'models.cancelPredict': { cancelled: boolean };
  /** The prediction API now serving (a second call replaces the first). */
  'models.serve': ServingStatus;
  'models.stopServing': ServingStatus;
  'models.serving': ServingStatus;
  'models.cutLayers': CutLayerInfo[];
  'backbones.list': BackboneInfo[];
  'backbones.fetch': BackboneInfo;
  'backbones.cancelFetch': { cancelled: boolean };
  'live.open': LiveModelInfo;
  'live.predict': LivePrediction;
  'live.release': { released: boolean };
  'runs.explain': ExplainedImage[];
  'settings.get': Settings;
  'settings.set': Settings;
  'augment.presets': AugmentPresetInfo[];
  'augment.preview': AugmentPreview;
  'augment.batch': AugmentBatchPreview;
  'augment.writeCopies': AugmentWriteResult;
  /** Starts (or resumes, with resumeId) the six-step guide in a training process; returns the state at start. */
  'tuning.start': TuningState;
  'tuning.search': TuningState;
  'tuning.get': TuningState;
  'tuning.list': TuningSummary[];
  'tuning.stop': { stopped: boolean };
  'concepts.dropout': DropoutDemo;
  'concepts.batchNorm': BatchNormDemo;
  'capture.saveFrame': CapturedFrame;
  'capture.deleteFrame': { deleted: boolean };
  'capture.list': CaptureSummary[];
  'capture.frames': CapturedFrame[];
  'capture.toDataset': DatasetSummary;
}

/** What a caller passes (defaults may be left out). */
export type LabArgs<K extends LabCallName> = z.input<(typeof labCalls)[K]>;
/** What a handler receives (validated, defaults filled in). */
export type LabParsedArgs<K extends LabCallName> = z.output<(typeof labCalls)[K]>;

/** The engine side: one handler per call, receiving validated arguments. */
export type LabHandlers = { [K in LabCallName]: (...args: LabParsedArgs<K>) => Promise<LabResults[K]> };

/** The shell side: what the renderer and the CLI call. */
export interface LabClient {
  call<K extends LabCallName>(name: K, ...args: LabArgs<K>): Promise<LabResults[K]>;
  onEvent(listener: (event: import('./events').LabEvent) => void): () => void;
}

export function isLabCallName(name: unknown): name is LabCallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(labCalls, name);
}

/** Wire messages of the WebSocket transport (Electron IPC uses invoke + a single event channel). */
export type WireRequest = { id: number; method: LabCallName; args: unknown[] };
export type WireResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: import('./errors').LabErrorData };
export type WireEvent = { event: import('./events').LabEvent };

export { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from './ipc-channels';
