/**
 * The built-in backbone (resources/backbones/mobilenetv2) is the inner MobileNetV2 of the Teachable Machine
 * fixture, byte for byte, and loading it with SeedBatchNorm changes nothing at inference.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../shared/errors';
import { parseTrainConfig } from '../training/train-config';
import { readModelArtifacts } from './fs-io';
import { buildModel } from './index';
import { adaptTopology, backboneDir } from './transfer-model';

await tf.setBackend('cpu');

const TM = path.resolve('../shared/fixtures/teachable-machine-2019');
const transfer = (model: Record<string, unknown>, size = 32) =>
  parseTrainConfig({ datasetId: 'd', input: { size, channels: 3 }, model: { kind: 'transfer', ...model } });

interface Manifest {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[];
}
function weightBytes(dir: string): Map<string, Buffer> {
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as Manifest;
  const out = new Map<string, Buffer>();
  for (const g of json.weightsManifest) {
    const data = Buffer.concat(g.paths.map((p) => readFileSync(path.join(dir, p))));
    let at = 0;
    for (const w of g.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1) * 4;
      out.set(w.name, data.subarray(at, at + n));
      at += n;
    }
  }
  return out;
}

describe('built-in MobileNetV2 backbone', () => {
  it.skipIf(!existsSync(TM))('holds exactly the Teachable Machine model\'s backbone weights, without its head', () => {
    const ours = weightBytes(backboneDir('builtin:mobilenetv2'));
    const tm = weightBytes(TM);
    expect(ours.size).toBe(260);
    for (const [name, bytes] of ours) expect(bytes.equals(tm.get(name)!)).toBe(true);
    expect([...tm.keys()].filter((k) => !ours.has(k))).toEqual(['dense_Dense1/kernel', 'dense_Dense1/bias', 'dense_Dense2/kernel']);
    expect(existsSync(path.join(backboneDir('builtin:mobilenetv2'), 'NOTICE'))).toBe(true);
  });

  it('loaded with SeedBatchNorm it computes what tfjs BatchNormalization computes (inference)', async () => {
    const artifacts = await readModelArtifacts(backboneDir('builtin:mobilenetv2'));
    const load = (convert: boolean) =>
      tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: adaptTopology(artifacts.modelTopology as Record<string, unknown>, 32, convert).topology }));
    const [plain, seed] = await Promise.all([load(false), load(true)]);
    expect(seed.layers.filter((l) => l.getClassName() === 'SeedBatchNorm')).toHaveLength(52);
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5);
    const a = (plain.predict(x) as tf.Tensor).dataSync();
    const b = (seed.predict(x) as tf.Tensor).dataSync();
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
    expect(maxDiff).toBeLessThan(1e-3);
    expect(Math.max(...Array.from(a))).toBeGreaterThan(0.1); // real features, not zeros
  });

  it('transfer model: frozen backbone, new head; trainableLayers unfreezes the top weighted layers', async () => {
    const frozen = await buildModel(transfer({}), 3);
    expect(frozen.trainableWeights.map((w) => w.originalName)).toEqual(['logits/kernel', 'logits/bias']);
    expect(frozen.outputs[0]!.shape).toEqual([null, 3]);
    const top2 = await buildModel(transfer({ trainableLayers: 2, dense: [{ units: 8, dropout: 0 }] }), 3);
    const names = top2.trainableWeights.map((w) => w.originalName);
    expect(names.filter((n) => n.startsWith('Conv_1'))).toEqual(['Conv_1/kernel', 'Conv_1_bn/gamma', 'Conv_1_bn/beta']);
    expect(names).toContain('head1_dense/kernel');
    const cut = await buildModel(transfer({ cutLayer: 'block_13_expand_relu' }), 2);
    expect(cut.layers.some((l) => l.name === 'Conv_1')).toBe(false);
  });

  it('bad transfer settings name the field', async () => {
    await expect(buildModel(transfer({ cutLayer: 'nope' }), 2)).rejects.toThrow(/model\.cutLayer: the backbone has no layer "nope"/);
    await expect(buildModel(transfer({ backbone: '/nonexistent/folder' }), 2)).rejects.toThrow(/model\.backbone: no model\.json/);
    await expect(buildModel(transfer({ backbone: 'builtin:resnet' }), 2)).rejects.toThrow(LabError);
    const grey = parseTrainConfig({ datasetId: 'd', input: { size: 32, channels: 1 }, model: { kind: 'transfer' } });
    await expect(buildModel(grey, 2)).rejects.toThrow(/input\.channels/);
  });
});
