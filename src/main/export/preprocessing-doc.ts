/**
 * preprocessing.json and the README: exactly how to feed an exported model, in words and in numbers
 * (the example scripts read the numbers, so the documentation cannot drift from what runs).
 */
import type { InputConfig } from '../../shared/config';
import type { Preprocessing } from '../../shared/dto';

export const PREPROCESSING_FORMAT = 'image-classification-lab/preprocessing@1';

export interface SharpResize {
  fit: 'fill' | 'cover' | 'contain';
  position: 'centre';
  background: { r: number; g: number; b: number };
  kernel: 'lanczos3';
}

/** The lab's fit modes in sharp's terms (the decoded-image cache resizes this way). */
export function sharpResizeFor(fit: InputConfig['fit']): SharpResize {
  const sharpFit = fit === 'squash' ? 'fill' : fit === 'crop' ? 'cover' : 'contain';
  return { fit: sharpFit, position: 'centre', background: { r: 0, g: 0, b: 0 }, kernel: 'lanczos3' };
}

export interface Normalization {
  /** x = pixel · scale + offset, pixel in 0…255 */
  scale: number;
  offset: number;
  formula: string;
}

export function normalizationOf(normalization: Preprocessing['normalization']): Normalization {
  return normalization === 'unit'
    ? { scale: 1 / 255, offset: 0, formula: 'x = pixel / 255  (0…255 → 0…1)' }
    : { scale: 1 / 127.5, offset: -1, formula: 'x = pixel / 127.5 − 1  (0…255 → −1…1)' };
}

/** Teachable Machine's own convention (its library divides by 127, not 127.5). */
export const TM_NORMALIZATION: Normalization = { scale: 1 / 127, offset: -1, formula: 'x = pixel / 127 − 1  (Teachable Machine convention)' };

const FIT_WORDS: Record<InputConfig['fit'], string> = {
  squash: 'resize to exactly size×size, ignoring the aspect ratio (sharp fit "fill")',
  crop: 'scale so the shorter side is size, then crop the centre square (sharp fit "cover", position centre)',
  letterbox: 'scale so the longer side is size and pad the rest with black (sharp fit "contain", background #000)',
};

export interface PreprocessingJson {
  format: string;
  input: {
    name: string;
    shape: number[];
    dtype: 'float32';
    layout: 'NHWC';
    height: number;
    width: number;
    channels: 1 | 3;
    channelOrder: 'RGB' | 'L';
  };
  resize: { mode: InputConfig['fit']; description: string; sharp: SharpResize; autoOrient: true; alpha: string; greyscale: boolean };
  normalization: Normalization & { kind: string };
  output: { name: string; description: string; labels: string[] };
  /** The lab's own description, read back on import. */
  lab: Preprocessing;
}

export function preprocessingJson(pre: Preprocessing, labels: string[], opts: { normalization?: Normalization & { kind: string }; inputName?: string; outputName?: string } = {}): PreprocessingJson {
  const { size, channels, fit } = pre.input;
  const norm = opts.normalization ?? { ...normalizationOf(pre.normalization), kind: pre.normalization };
  return {
    format: PREPROCESSING_FORMAT,
    input: {
      name: opts.inputName ?? 'input',
      shape: [1, size, size, channels],
      dtype: 'float32',
      layout: 'NHWC',
      height: size,
      width: size,
      channels,
      channelOrder: pre.channelOrder,
    },
    resize: {
      mode: fit,
      description: FIT_WORDS[fit],
      sharp: sharpResizeFor(fit),
      autoOrient: true,
      alpha: 'dropped (the colour channels are kept as they are)',
      greyscale: channels === 1,
    },
    normalization: norm,
    output: {
      name: opts.outputName ?? 'probabilities',
      description: `probabilities (softmax) for ${labels.length} classes, in the order of labels.txt`,
      labels,
    },
    lab: pre,
  };
}

export function readmeText(args: {
  title: string;
  format: string;
  doc: PreprocessingJson;
  files: string[];
  run: string;
  notes?: string[];
}): string {
  const { doc } = args;
  const { height, width, channels, channelOrder } = doc.input;
  return [
    `# ${args.title}`,
    '',
    `Exported by the image-classification lab as **${args.format}**.`,
    '',
    '## Classify an image',
    '',
    '```sh',
    args.run,
    '```',
    '',
    '## Preprocessing (do exactly this, or predictions will differ from the lab)',
    '',
    `1. Decode the image and apply its EXIF orientation; drop any alpha channel.`,
    `2. ${channels === 1 ? 'Convert to greyscale (1 channel, "L").' : `Keep 3 channels in ${channelOrder} order.`}`,
    `3. Resize to ${width}×${height}: ${doc.resize.description}.`,
    `4. Normalise every value: \`${doc.normalization.formula}\`.`,
    `5. Feed a float32 tensor of shape [batch, ${height}, ${width}, ${channels}] (${doc.input.layout}, channels last) as input "${doc.input.name}".`,
    '',
    `The output "${doc.output.name}" holds ${doc.output.description}:`,
    '',
    ...doc.output.labels.map((l, i) => `- ${i}: ${l}`),
    '',
    '`preprocessing.json` states the same in machine-readable form.',
    ...(args.notes?.length ? ['', '## Notes', '', ...args.notes.map((n) => `- ${n}`)] : []),
    '',
    '## Files',
    '',
    ...args.files.map((f) => `- ${f}`),
    '',
  ].join('\n');
}
