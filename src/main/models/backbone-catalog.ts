/**
 * Well-known pretrained image models published in tfjs layers format, at the locations their publishers load them
 * from (checked against the published loaders: tfjs-models' and Teachable Machine's `custom-mobilenet.ts`, which
 * build `https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_<alpha>_224/model.json` with alpha 0.25, 0.50,
 * 0.75 or 1.0, and `https://storage.googleapis.com/teachable-machine-models/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_<alpha>_224_no_top/model.json`
 * with alpha 0.35, 0.50, 0.75 or 1.00, cutting at conv_pw_13_relu and out_relu). Both scale pixels to [-1, 1].
 *
 * Pure data (no file system): `model.backbone = "catalog:<id>"` names an entry; backbone-library.ts downloads it.
 * The entries carry no SHA-256: they could not be recorded here (no internet where this was written), so the lab
 * pins each file's checksum on its first complete download (SHA256SUMS) and checks every later use against it.
 * Entries a user adds in the workspace's backbones/catalog.json may carry checksums, verified from the first download.
 */
import type { RemoteFile } from './backbone-download';

export const CATALOG_PREFIX = 'catalog:';

export interface CatalogEntry {
  id: string;
  name: { en: string; 'zh-CN': string };
  /** URL of the folder holding model.json and its weight shards (ends with /) */
  baseUrl: string;
  /** the input size the model was trained at (fully convolutional ones accept others) */
  inputSize: number;
  channels: 1 | 3;
  /** pixel scaling it was trained with: symmetric = [-1, 1], unit = [0, 1] */
  scaling: 'symmetric' | 'unit';
  /** where its publisher's loader cuts it for transfer learning; absent: chosen from the topology like any folder */
  defaultCut?: string;
  /** approximate download size in bytes (model.json + weights) */
  approxBytes: number;
  /** where the URL is documented */
  source: string;
  /** the files with their checksums, when known in advance (model.json first); absent: model.json names the shards */
  files?: RemoteFile[];
}

const TFJS_MODELS = 'https://storage.googleapis.com/tfjs-models/tfjs/';
const TEACHABLE = 'https://storage.googleapis.com/teachable-machine-models/';
const MB = 1024 * 1024;

function mobilenetV1(alpha: string, approxMb: number): CatalogEntry {
  return {
    id: `mobilenet-v1-${alpha}-224`,
    name: {
      en: `MobileNet v1 α${alpha}, 224 px (ImageNet, tfjs-models; Teachable Machine's v1 base)`,
      'zh-CN': `MobileNet v1 α${alpha}，224 像素（ImageNet，tfjs-models；Teachable Machine 的 v1 基础模型）`,
    },
    baseUrl: `${TFJS_MODELS}mobilenet_v1_${alpha}_224/`,
    inputSize: 224,
    channels: 3,
    scaling: 'symmetric',
    defaultCut: 'conv_pw_13_relu',
    approxBytes: Math.round(approxMb * MB),
    source: 'tfjs-models mobilenet / teachablemachine-community libraries/image/src/custom-mobilenet.ts',
  };
}

function mobilenetV2NoTop(alpha: string, approxMb: number): CatalogEntry {
  return {
    id: `mobilenet-v2-${alpha}-224-notop`,
    name: {
      en: `MobileNetV2 α${alpha} without top, 224 px (ImageNet; Teachable Machine's v2 base)`,
      'zh-CN': `MobileNetV2 α${alpha}（无分类层），224 像素（ImageNet；Teachable Machine 的 v2 基础模型）`,
    },
    baseUrl: `${TEACHABLE}mobilenet_v2_weights_tf_dim_ordering_tf_kernels_${alpha}_224_no_top/`,
    inputSize: 224,
    channels: 3,
    scaling: 'symmetric',
    defaultCut: 'out_relu',
    approxBytes: Math.round(approxMb * MB),
    source: 'teachablemachine-community libraries/image/src/custom-mobilenet.ts',
  };
}

/** Sizes: parameters × 4 bytes (v1 includes its 1000-class classifier), rounded. */
export const BUILTIN_CATALOG: readonly CatalogEntry[] = [
  mobilenetV1('0.25', 1.9),
  mobilenetV1('0.50', 5.3),
  mobilenetV1('0.75', 10.3),
  mobilenetV1('1.0', 16.3),
  mobilenetV2NoTop('0.35', 1.7),
  mobilenetV2NoTop('0.50', 2.8),
  mobilenetV2NoTop('0.75', 5.5),
  mobilenetV2NoTop('1.00', 9.1),
];

export function isCatalogBackbone(backbone: string): boolean {
  return backbone.startsWith(CATALOG_PREFIX);
}

export function catalogId(backbone: string): string {
  return backbone.slice(CATALOG_PREFIX.length);
}

/** The pixel scaling of a catalogue backbone: the entry's, or symmetric (every built-in entry's) for ids added by users. */
export function catalogScaling(backbone: string): 'symmetric' | 'unit' {
  return BUILTIN_CATALOG.find((e) => e.id === catalogId(backbone))?.scaling ?? 'symmetric';
}

/** "1.9 MB" */
export function formatBytes(bytes: number): string {
  return bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}
