/**
 * Live prediction (camera frames, a dropped image) and heatmaps of dataset images: the schemas of their calls
 * and the shapes of their answers. The model stays loaded in the engine between frames (live.open), so a frame
 * costs one decode and one forward pass.
 */
import { z } from 'zod';
import type { InputConfig } from './config';
import type { LabErrorData } from './errors';
import type { PredictionHeatmap } from './dto';

/** About 6 MB of base64: a camera frame is sent at the model's input size (a few kB), a dropped photo as it is. */
const MAX_IMAGE_BASE64 = 8_000_000;

export const LiveOpenRequestSchema = z.object({
  /** A run id or an export folder, as for models.predict. */
  model: z.string().min(1).max(4096),
});

export const LivePredictRequestSchema = z.object({
  model: z.string().min(1).max(4096),
  /** One image (JPEG, PNG or WebP), base64 without a data: prefix. */
  image: z.string().min(1).max(MAX_IMAGE_BASE64),
  /** Also say where the model looked for its top class (slower: the live page asks for it a few times a second). */
  heatmap: z.boolean().default(false),
  /** Return the frame as the model saw it (PNG data URL); always included with a heatmap. */
  preview: z.boolean().default(false),
});

export const ExplainImagesRequestSchema = z.object({
  runId: z.string().min(1).max(200),
  /** Manifest indices of the run's dataset (the confusion-matrix cell or the uncertain-images list). */
  images: z
    .array(
      z.object({
        index: z.number().int().min(0),
        /** The class to explain, e.g. the one the evaluation predicted; default: the model's top class now. */
        label: z.string().min(1).max(200).optional(),
      }),
    )
    .min(1)
    .max(64),
});

export type LiveOpenRequest = z.input<typeof LiveOpenRequestSchema>;
export type LivePredictRequest = z.input<typeof LivePredictRequestSchema>;
export type ExplainImagesRequest = z.input<typeof ExplainImagesRequestSchema>;

/** The model the live page talks to: what to send it and what it answers with. */
export interface LiveModelInfo {
  model: string;
  labels: string[];
  /** Frames are best sent at this size (the engine resizes and crops as in training). */
  input: InputConfig;
  /** Which runtime answers each frame. */
  engine: 'tfjs' | 'onnxruntime';
  /** Whether the model has a feature map to explain (an MLP does not). */
  heatmap: boolean;
}

export interface LivePrediction {
  /** Every class's probability, in label order. */
  probabilities: number[];
  /** Time the engine spent on this frame (decode + forward (+ heatmap)), in ms. */
  engineMs: number;
  preview?: string;
  heatmap?: PredictionHeatmap;
  heatmapError?: LabErrorData;
}

/** A dataset image with the heat for one class over it as the model saw it (both PNG data URLs). */
export interface ExplainedImage {
  index: number;
  /** The model input (after resize, crop, greyscale). */
  preview?: string;
  heatmap?: PredictionHeatmap;
  error?: LabErrorData;
}
