/**
 * The runnable example every export carries: `node example/predict.mjs <image>` prints the classes with
 * their probabilities, best first. Preprocessing parameters come from preprocessing.json at run time.
 */
export type ExampleRuntime = 'tfjs' | 'onnx';

const PREPROCESS = String.raw`
/** Exactly the lab's preprocessing (its decoded-image cache), driven by preprocessing.json. */
async function preprocess(file, pre) {
  const { height, width, channels } = pre.input;
  const r = pre.resize.sharp;
  let img = sharp(file).rotate().removeAlpha();
  img = channels === 1 ? img.grayscale() : img.toColourspace('srgb');
  img = img.resize(width, height, { fit: r.fit, position: r.position, background: { ...r.background, alpha: 1 }, kernel: r.kernel });
  const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  let pixels = data;
  if (info.channels === 1 && channels === 3) {
    // a grey source stays one channel in libvips: repeat it as R, G and B
    pixels = new Uint8Array(data.length * 3);
    for (let i = 0; i < data.length; i++) pixels[i * 3] = pixels[i * 3 + 1] = pixels[i * 3 + 2] = data[i];
  } else if (info.channels !== channels) {
    throw new Error(file + ': decoded ' + info.channels + ' channels, the model needs ' + channels);
  }
  const { scale, offset } = pre.normalization;
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i] * scale + offset;
  return x;
}
`;

const HEADER = (deps: string): string => String.raw`#!/usr/bin/env node
// Classify one image with this export.   Usage: node example/predict.mjs <image> [--top K]
// Needs: npm install ${deps}
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
`;

const MAIN = String.raw`
const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 5;
const image = args[0];
if (!image) {
  console.error('usage: node example/predict.mjs <image> [--top K]');
  process.exit(2);
}
const pre = JSON.parse(await readFile(path.join(dir, 'preprocessing.json'), 'utf8'));
const labels = pre.output.labels;
const x = await preprocess(image, pre);
const probs = await classify(x, pre);
const ranked = labels.map((label, i) => ({ label, p: probs[i] })).sort((a, b) => b.p - a.p);
for (const { label, p } of ranked.slice(0, top)) console.log(label + '\t' + p.toFixed(4));
`;

const TFJS_IMPORT = "import * as tf from '@tensorflow/tfjs';\n";
const TFJS_LOAD = String.raw`
/** model.json + weight files read from disk: no tfjs-node needed. */
async function loadModel() {
  const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const parts = [];
  for (const g of modelJson.weightsManifest) for (const p of g.paths) parts.push(await readFile(path.join(dir, p)));
  const weightData = new Uint8Array(Buffer.concat(parts)).buffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs, weightData }));
}

async function classify(x, pre) {
  const model = await loadModel();
  const { height, width, channels } = pre.input;
  const y = model.predict(tf.tensor4d(x, [1, height, width, channels]));
  return Array.from(await y.data());
}
`;

const ONNX_IMPORT = "import * as ort from 'onnxruntime-node';\n";
const ONNX_LOAD = String.raw`
async function classify(x, pre) {
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
  const { height, width, channels } = pre.input;
  const out = await session.run({ [pre.input.name]: new ort.Tensor('float32', x, [1, height, width, channels]) });
  return Array.from(out[pre.output.name].data);
}
`;

export function exampleScript(runtime: ExampleRuntime): string {
  const tfjs = runtime === 'tfjs';
  return HEADER(tfjs ? '@tensorflow/tfjs sharp' : 'onnxruntime-node sharp') + (tfjs ? TFJS_IMPORT : ONNX_IMPORT) + PREPROCESS + (tfjs ? TFJS_LOAD : ONNX_LOAD) + MAIN;
}

/** example/package.json so `npm install` inside example/ fetches what the script needs. */
export function examplePackageJson(runtime: ExampleRuntime): string {
  const deps: Record<string, string> = runtime === 'tfjs' ? { '@tensorflow/tfjs': '^4.22.0', sharp: '^0.34.0' } : { 'onnxruntime-node': '^1.22.0', sharp: '^0.34.0' };
  return JSON.stringify({ name: 'lab-export-example', private: true, type: 'module', dependencies: deps }, null, 2) + '\n';
}
