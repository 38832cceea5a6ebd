/**
 * Extracts the inner MobileNetV2 α0.35 (224×224, ImageNet) of a Teachable Machine 2019 image-model export into
 * a standalone tfjs layers model folder (model.json + weights.bin): the lab's built-in transfer backbone.
 *   npx tsx src/main/models/extract-builtin-backbone.ts ../shared/fixtures/teachable-machine-2019 resources/backbones/mobilenetv2
 * The export is Sequential[ Sequential[ Model mobilenetv2_0.35_224, GlobalAveragePooling2D ], Sequential[ Dense, Dense ] ];
 * only the Model's layers and weights are kept, byte for byte.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface LayerJson {
  class_name: string;
  config: unknown;
  name?: string;
}
interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
}

const BYTES = { float32: 4, int32: 4 } as const;

export function extractBackbone(tmDir: string, outDir: string, modelName = 'mobilenetv2_0.35_224'): { layers: number; weights: number; bytes: number } {
  const json = JSON.parse(readFileSync(path.join(tmDir, 'model.json'), 'utf8')) as {
    modelTopology: { class_name: string; config: LayerJson[]; keras_version?: string; backend?: string };
    weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
  };
  const find = (layers: LayerJson[]): LayerJson | null => {
    for (const l of layers) {
      const cfg = l.config as { name?: string; layers?: LayerJson[] } | LayerJson[];
      if (l.class_name === 'Model' && !Array.isArray(cfg) && cfg.name === modelName) return l;
      if (Array.isArray(cfg)) {
        const inner = find(cfg);
        if (inner) return inner;
      } else if (l.class_name === 'Sequential' && Array.isArray(cfg.layers)) {
        const inner = find(cfg.layers);
        if (inner) return inner;
      }
    }
    return null;
  };
  const inner = find(json.modelTopology.config);
  if (!inner) throw new Error(`No inner model named ${modelName} in ${tmDir}/model.json`);
  const innerCfg = inner.config as { layers: { name: string }[] };
  const layerNames = new Set(innerCfg.layers.map((l) => l.name));

  const kept: WeightEntry[] = [];
  const chunks: Buffer[] = [];
  for (const group of json.weightsManifest) {
    const data = Buffer.concat(group.paths.map((p) => readFileSync(path.join(tmDir, p))));
    let offset = 0;
    for (const w of group.weights) {
      const bytes = w.shape.reduce((a, b) => a * b, 1) * BYTES[w.dtype];
      if (layerNames.has(w.name.split('/')[0]!)) {
        kept.push(w);
        chunks.push(data.subarray(offset, offset + bytes));
      }
      offset += bytes;
    }
    if (offset !== data.length) throw new Error(`Weights manifest of ${tmDir} does not match its data (${offset} ≠ ${data.length} bytes)`);
  }
  const weights = Buffer.concat(chunks);
  mkdirSync(outDir, { recursive: true });
  const out = {
    format: 'layers-model',
    generatedBy: 'image-classification-lab extract-builtin-backbone (from a Teachable Machine 2019 export)',
    convertedBy: null,
    modelTopology: { class_name: 'Model', config: inner.config, keras_version: json.modelTopology.keras_version, backend: json.modelTopology.backend },
    weightsManifest: [{ paths: ['./weights.bin'], weights: kept }],
  };
  writeFileSync(path.join(outDir, 'model.json'), JSON.stringify(out));
  writeFileSync(path.join(outDir, 'weights.bin'), weights);
  return { layers: innerCfg.layers.length, weights: kept.length, bytes: weights.length };
}

const [, script, tmDir, outDir] = process.argv;
if (script && import.meta.url.endsWith(path.basename(script)) && tmDir && outDir) {
  console.log(JSON.stringify(extractBackbone(tmDir, outDir)));
}
