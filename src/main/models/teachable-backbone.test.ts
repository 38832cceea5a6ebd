/**
 * Teachable Machine exports (nested Sequential models) and other nested tfjs layers models as backbones: unfolded
 * into one graph, cut where a new head belongs (or at a layer chosen from the list), and trained further.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../training/train-config';
import { flattenTopology, isNested } from './flatten-topology';
import { readModelArtifacts, saveModelToDir } from './fs-io';
import { buildModel } from './index';
import { backboneHandlers } from '../service/handlers/backbones';
import { listCutLayers, loadBackbone } from './transfer-model';

await tf.setBackend('cpu');

const TM = path.resolve('../shared/fixtures/teachable-machine-2019');

/** A small nested model like a 2021 greyscale Teachable Machine export: Sequential[Sequential[convs, pool], Sequential[Dense]] at 48×48×1. */
async function greyNestedModel(): Promise<{ dir: string; model: tf.Sequential }> {
  const features = tf.sequential({ name: 'sequential_1' });
  features.add(tf.layers.conv2d({ inputShape: [48, 48, 1], filters: 4, kernelSize: 3, strides: 2, activation: 'relu', name: 'g_conv1' }));
  features.add(tf.layers.batchNormalization({ name: 'g_bn1' }));
  features.add(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'relu', name: 'g_conv2' }));
  features.add(tf.layers.globalAveragePooling2d({ name: 'g_pool' }));
  const head = tf.sequential({ name: 'sequential_3' });
  head.add(tf.layers.dense({ inputShape: [6], units: 5, activation: 'relu', name: 'g_dense1' }));
  head.add(tf.layers.dense({ units: 3, activation: 'softmax', name: 'g_dense2' }));
  const model = tf.sequential({ name: 'sequential_4' });
  model.add(features);
  model.add(head);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nested-'));
  await saveModelToDir(model, dir);
  return { dir, model };
}

describe('nested models as backbones', () => {
  it('unfolds a nested model into one graph that computes the same outputs', async () => {
    const { dir, model } = await greyNestedModel();
    const artifacts = await readModelArtifacts(dir);
    const topo = artifacts.modelTopology as Record<string, unknown>;
    expect(isNested(topo)).toBe(true);
    const flat = flattenTopology(topo);
    expect(isNested(flat)).toBe(false);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ ...artifacts, modelTopology: flat }));
    expect(loaded.layers.map((l) => l.name)).toEqual(['sequential_4_input', 'g_conv1', 'g_bn1', 'g_conv2', 'g_pool', 'g_dense1', 'g_dense2']);
    const x = tf.randomUniform([2, 48, 48, 1], 0, 1, 'float32', 3);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < a.length; i++) expect(b[i]!).toBeCloseTo(a[i]!, 5);
  });

  it('lists cut layers with the default before the model\'s own classifier, and builds a greyscale transfer model on it', async () => {
    const { dir } = await greyNestedModel();
    // Through the LabApi call the Train form uses.
    const cuts = await backboneHandlers()['models.cutLayers']({ backbone: dir, size: 48 });
    expect(cuts[0]).toMatchObject({ name: 'g_dense2', shape: [3], isDefault: false });
    expect(cuts.find((c) => c.isDefault)).toMatchObject({ name: 'g_pool', shape: [6] });
    expect(cuts.map((c) => c.name)).toContain('g_conv2');
    const config = parseTrainConfig({ datasetId: 'd', input: { size: 48, channels: 1 }, model: { kind: 'transfer', backbone: dir, inputNormalization: 'unit' } });
    const m = await buildModel(config, 4);
    expect(m.outputs[0]!.shape).toEqual([null, 4]);
    expect(m.trainableWeights.map((w) => w.originalName)).toEqual(['logits/kernel', 'logits/bias']);
    // The model's own Dense layer can be the cut too (keep what it learned, put a new classifier on top).
    const onDense = await buildModel(parseTrainConfig({ ...config, model: { ...config.model, cutLayer: 'g_dense1' } }), 2);
    expect(onDense.layers.some((l) => l.name === 'g_dense1')).toBe(true);
    await expect(buildModel(parseTrainConfig({ ...config, input: { size: 48, channels: 3 } }), 2)).rejects.toThrow(/input\.channels: this backbone takes 1-channel/);
  });

  it.skipIf(!existsSync(TM))('loads the 2019 Teachable Machine export as a backbone (no "multiple inbound nodes" error), cut after its pooled MobileNet', async () => {
    const backbone = await loadBackbone(TM, 224);
    expect(backbone.layers.some((l) => l instanceof tf.Sequential)).toBe(false);
    const cuts = await listCutLayers(TM, 224);
    expect(cuts.find((c) => c.isDefault)).toMatchObject({ name: 'global_average_pooling2d_GlobalAveragePooling2D1', shape: [1280] });
    expect(cuts.slice(0, 2).map((c) => c.name)).toEqual(['dense_Dense2', 'dense_Dense1']);
    const m = await buildModel(parseTrainConfig({ datasetId: 'd', input: { size: 224, channels: 3 }, model: { kind: 'transfer', backbone: TM } }), 3);
    expect(m.outputs[0]!.shape).toEqual([null, 3]);
    backbone.dispose();
  }, 60_000);
});
