/**
 * Grad-CAM on a dataset where the class is decided by a bright patch at a known place: the heat must fall on
 * the patch. The same procedure with negated gradients, or on a layer without a feature map, must not.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../models';
import { parseTrainConfig } from '../training/train-config';
import { camLayerName, gradCam, upsampleHeat } from './grad-cam';
import { massOnPatch, PATCH, PLACES, SIZE, synthetic, trainedCnn } from './test-support/patch-task';
import { heatColour, heatmapImages } from './overlay';
import sharp from 'sharp';

await tf.setBackend('cpu');

describe('Grad-CAM', async () => {
  const model = await trainedCnn();
  const test = synthetic(40, 99);
  const images = tf.unstack(test.x).map((t) => t.expandDims(0) as tf.Tensor4D);

  const meanMass = (opts: { gradientSign?: 1 | -1; layer?: string }): number => {
    const masses = images.map((img, i) => {
      const cam = gradCam(model, img, { classIndex: test.labels[i], ...opts });
      return massOnPatch(upsampleHeat(cam, SIZE), test.labels[i], 2);
    });
    return masses.reduce((a, b) => a + b, 0) / masses.length;
  };

  it('learns the synthetic task (otherwise the heatmaps below mean nothing)', () => {
    const pred = (model.predict(test.x) as tf.Tensor2D).argMax(-1).arraySync() as number[];
    const accuracy = pred.filter((p, i) => p === test.labels[i]).length / pred.length;
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('explains on the last convolutional block, not on a pooling, flatten or dense layer', () => {
    expect(camLayerName(model)).toBe('block2_act');
    expect(() => gradCam(model, images[0], { layer: 'logits' })).toThrow(/no spatial feature map/);
    expect(() => gradCam(model, images[0], { layer: 'flatten' })).toThrow(/no spatial feature map/);
  });

  it('puts most of the heat on the patch that decides the class; negated gradients put it elsewhere', () => {
    const right = meanMass({});
    const negated = meanMass({ gradientSign: -1 });
    // The widened patch box is 10×10 of 24×24 pixels: 17% of the image.
    console.log(`Grad-CAM heat on the deciding patch: ${(right * 100).toFixed(1)}% (negated gradients: ${(negated * 100).toFixed(1)}%)`);
    expect(right).toBeGreaterThan(0.6);
    expect(negated).toBeLessThan(0.3);
  });

  it('explains the predicted class by default, and the other class looks at the other place', () => {
    const i = test.labels.indexOf(0);
    const own = gradCam(model, images[i]);
    expect(own.classIndex).toBe(0);
    const other = gradCam(model, images[i], { classIndex: 1 });
    expect(massOnPatch(upsampleHeat(own, SIZE), 0, 2)).toBeGreaterThan(massOnPatch(upsampleHeat(other, SIZE), 0, 2));
  });

  it('draws the heat as a transparent colour layer and as an overlay at least 224 pixels wide', async () => {
    expect(heatColour(0)).toEqual([0, 0, 255]);
    expect(heatColour(1)).toEqual([255, 0, 0]);
    const i = test.labels.indexOf(1);
    const cam = gradCam(model, images[i]);
    const pixels = Uint8Array.from((await images[i].data()) as Float32Array, (v) => Math.round(v * 255));
    const out = await heatmapImages(cam, pixels, { input: { size: SIZE, channels: 1, fit: 'squash' }, normalization: 'unit', channelOrder: 'L', layout: 'NHWC' });
    const heat = await sharp(out.heat).raw().toBuffer({ resolveWithObject: true });
    expect(heat.info).toMatchObject({ width: 224, height: 224, channels: 4 });
    // The heat layer is opaque over the patch (bottom-right) and nearly transparent over the other class's place.
    const meanAlpha = ([r0, c0]: [number, number]) => {
      const [from, to] = [Math.floor((r0 / SIZE) * 224), Math.floor(((r0 + PATCH) / SIZE) * 224)];
      const [cFrom, cTo] = [Math.floor((c0 / SIZE) * 224), Math.floor(((c0 + PATCH) / SIZE) * 224)];
      let sum = 0;
      for (let r = from; r < to; r++) for (let c = cFrom; c < cTo; c++) sum += heat.data[(r * 224 + c) * 4 + 3];
      return sum / ((to - from) * (cTo - cFrom));
    };
    expect(meanAlpha(PLACES[1])).toBeGreaterThan(4 * meanAlpha(PLACES[0]) + 20);
    const overlay = await sharp(out.overlay).metadata();
    expect([overlay.width, overlay.height, overlay.format]).toEqual([224, 224, 'png']);
  });
});

describe('Grad-CAM on other lab models', () => {
  const input = { size: 32, channels: 3 as const };
  const image = () => tf.randomUniform([1, 32, 32, 3], -1, 1, 'float32', 5) as tf.Tensor4D;

  it('transfer (MobileNetV2 backbone + head): the backbone\'s last convolutional activation, a heat map over its grid', async () => {
    const model = await buildModel(parseTrainConfig({ datasetId: 'd', input, model: { kind: 'transfer' } }), 3);
    const layer = camLayerName(model);
    const cam = gradCam(model, image(), { classIndex: 2 });
    expect(cam.layer).toBe(layer);
    const shape = model.getLayer(layer).outputShape as number[];
    expect([cam.height, cam.width]).toEqual([shape[1], shape[2]]);
    expect(model.layers.findIndex((l) => l.name === layer)).toBeGreaterThan(model.layers.findIndex((l) => l.getClassName() === 'Conv2D' && l.name !== layer));
    expect(cam.heat.every((h) => Number.isFinite(h) && h >= 0 && h <= 1)).toBe(true);
  });

  it('ResNet: a layer inside a residual block (the shortcut around it enters the rest of the graph as a constant)', async () => {
    const model = await buildModel(parseTrainConfig({ datasetId: 'd', input, model: { kind: 'resnet', depth: 8, width: 4 } }), 2);
    expect(camLayerName(model)).toBe('stage3_block1_out');
    const x = image();
    const inner = gradCam(model, x, { layer: 'stage3_block1_a_act', classIndex: 1 });
    expect([inner.height, inner.width]).toEqual([8, 8]);
    expect(inner.heat.some((h) => h > 0)).toBe(true);
  });

  it('an MLP has no feature map: a message that says which models have heatmaps', async () => {
    const model = await buildModel(parseTrainConfig({ datasetId: 'd', input, model: { kind: 'mlp' } }), 2);
    expect(() => gradCam(model, image())).toThrow(/no convolutional layer.*CNN, ResNet or transfer/);
  });
});
