// Deployment speed: `lab predict` over the 10,000 Fashion-MNIST test PNGs and the prediction API (lab serve-model)
// under concurrent clients, against the peer — onnxruntime-node running the lab's own ONNX export of the same model
// on the same files (decode with sharp, then session.run per batch; per request behind a plain node:http server).
// Also checks the TFLite export of the same model in the real TFLite interpreter (float32 and int8 on the test set).
// Opt-in: --deploy (or --only deploy). Flags: --deploy-limit N (images, default all 10,000), --deploy-api N (API requests),
// --deploy-reps N (interleaved runs of each side, default 3; the median is shown).
import * as tf from '@tensorflow/tfjs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeForModel, preprocess } from '../../src/main/datasets/preprocess';
import { initBackend } from '../../src/main/engine/backend';
import { exportModel } from '../../src/main/export/export-model';
import { buildModel } from '../../src/main/models';
import { preprocessingFor } from '../../src/main/models/preprocessing';
import { fastestForward, tfjsForward } from '../../src/main/predict/batch-forward';
import { predictImages, toInputTensor } from '../../src/main/predict/predict-images';
import { startModelServer } from '../../src/main/serve-model/model-server';
import { parseTrainConfig } from '../../src/main/training/train-config';
import type { BenchContext, BenchSection, Row, SectionResult } from '../lib/section';
import { ensureData } from './e2e';

const CLASSES = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat', 'sandal', 'shirt', 'sneaker', 'bag', 'ankle-boot'];

function files(dir: string, limit: number): { file: string; label: number }[] {
  const out: { file: string; label: number }[] = [];
  CLASSES.forEach((c, label) => {
    for (const f of readdirSync(path.join(dir, c)).sort()) out.push({ file: path.join(dir, c, f), label });
  });
  // Interleave classes so a limit keeps them all.
  out.sort((a, b) => path.basename(a.file).localeCompare(path.basename(b.file)) || a.label - b.label);
  return limit > 0 ? out.slice(0, limit) : out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function decodeAll(list: { file: string }[], input: Parameters<typeof decodeForModel>[1]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let i = 0; i < list.length; i += 64) out.push(...(await Promise.all(list.slice(i, i + 64).map((f) => decodeForModel(f.file, input)))));
  return out;
}

/** `clients` concurrent loops POSTing `n` images (raw PNG bytes) to url; returns images/s and failures. */
async function loadTest(url: string, images: Buffer[], n: number, clients: number): Promise<{ perS: number; failed: number }> {
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        const body = images[next++ % images.length];
        const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'image/png' } });
        await res.arrayBuffer();
        if (res.status !== 200) failed++;
      }
    }),
  );
  return { perS: n / ((performance.now() - t0) / 1000), failed };
}

export const section: BenchSection = {
  name: 'deploy',
  description: 'lab predict over 10,000 Fashion-MNIST PNGs and the prediction API vs onnxruntime-node on the lab\'s ONNX export; TFLite export checked in the TFLite interpreter (opt-in: --deploy)',
  async run(ctx: BenchContext): Promise<SectionResult> {
    const f = ctx.args.flags;
    if (!('deploy' in f) && !(ctx.args.only ?? []).includes('deploy')) {
      ctx.log('deploy: skipped (pass --deploy or --only deploy)');
      return { rows: [], json: { skipped: true } };
    }
    let ort: typeof import('onnxruntime-node');
    try {
      ort = await import('onnxruntime-node');
    } catch {
      ctx.log('deploy: skipped (onnxruntime-node, the peer, is not installed)');
      return { rows: [], json: { skipped: true } };
    }
    const dir = path.resolve(f['e2e-data'] ?? process.env.LAB_BENCH_DATA ?? path.join(os.tmpdir(), 'lab-bench-fmnist'));
    await ensureData(ctx, dir);
    const backend = await initBackend();
    const limit = Number(f['deploy-limit'] ?? 0);
    const test = files(path.join(dir, 'test'), limit);
    const work = mkdtempSync(path.join(os.tmpdir(), 'lab-bench-deploy-'));
    try {
      // The lab's default small-image CNN, trained briefly on 6,000 training images (so the int8 check means something).
      const config = parseTrainConfig({ datasetId: 'bench', input: { size: 28, channels: 1 }, model: { kind: 'cnn', blocks: [{ filters: 16 }, { filters: 32 }], dense: [{ units: 64 }] } });
      const pre = preprocessingFor(config);
      const model = await buildModel(config, 10);
      const train = files(path.join(dir, 'train'), 6000);
      const trainPixels = await decodeAll(train, pre.input);
      const xs = toInputTensor(trainPixels, pre);
      const ys = tf.oneHot(tf.tensor1d(train.map((t) => t.label), 'int32'), 10);
      model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy' });
      await model.fit(xs, ys, { epochs: 2, batchSize: 64, verbose: 0 });
      tf.dispose([xs, ys]);
      ctx.log(`deploy: model trained (${backend.name}); ${test.length} test images`);

      // lab predict (its default engine: onnxruntime through the lab's ONNX conversion when installed) against the peer:
      // onnxruntime-node on the lab's ONNX export, same files, same decode library (the lab's preprocess: PNG fast path /
      // sharp), batches of 64, both sessions with onnxruntime's default options (intra-op threads = cores). Two peers:
      // (a) the lab's documented decode entry, decodeForModel(path), per batch; (b) the same bytes read as lab predict
      // reads them (readFileSync), so the ratio against (b) measures the engine and its pipeline alone.
      // Each side runs `reps` times, interleaved; the table shows the median.
      const reps = Math.max(1, Number(f['deploy-reps'] ?? 3));
      const targets = limit > 0 ? test.map((t) => t.file) : [path.join(dir, 'test')];
      const forward = await fastestForward(model, pre);
      const onnxDir = path.join(work, 'onnx');
      await exportModel(model, { format: 'onnx', outDir: onnxDir, labels: CLASSES, preprocessing: pre, modelName: 'bench' });
      const session = await ort.InferenceSession.create(path.join(onnxDir, 'model.onnx'));
      const byPath = new Map(test.map((t) => [t.file, t.label]));
      let labCorrect = 0;
      let predicted = 0;
      const labOnce = async (): Promise<number> => {
        const t0 = performance.now();
        const preds = await predictImages(model, CLASSES, pre, targets, { topK: 1, batchSize: 64, forward });
        const perS = preds.length / ((performance.now() - t0) / 1000);
        predicted = preds.length;
        labCorrect = preds.filter((p) => p.top[0] && CLASSES.indexOf(p.top[0].label) === byPath.get(p.path)).length;
        return perS;
      };
      const tfjsOnce = async (): Promise<number> => {
        const t0 = performance.now();
        await predictImages(model, CLASSES, pre, targets, { topK: 1, batchSize: 64, forward: tfjsForward(model, pre) });
        return test.length / ((performance.now() - t0) / 1000);
      };
      let peerCorrect = 0;
      const peerOnce = async (read: 'decodeForModel' | 'readFileSync'): Promise<number> => {
        const t1 = performance.now();
        // The peer lists the folder inside its timing too, as lab predict does.
        const peerFiles = files(path.join(dir, 'test'), limit);
        let correct = 0;
        for (let i = 0; i < peerFiles.length; i += 64) {
          const batch = peerFiles.slice(i, i + 64);
          const pixels = await Promise.all(batch.map((b) => (read === 'decodeForModel' ? decodeForModel(b.file, pre.input) : preprocess(readFileSync(b.file), pre.input))));
          const x = new Float32Array(batch.length * 784);
          pixels.forEach((p, k) => {
            for (let j = 0; j < p.length; j++) x[k * 784 + j] = p[j] / 255;
          });
          const out = await session.run({ input: new ort.Tensor('float32', x, [batch.length, 28, 28, 1]) });
          const probs = out.probabilities.data as Float32Array;
          batch.forEach((b, k) => {
            const row = probs.subarray(k * 10, k * 10 + 10);
            if (row.indexOf(Math.max(...row)) === b.label) correct++;
          });
        }
        peerCorrect = correct;
        return peerFiles.length / ((performance.now() - t1) / 1000);
      };

      // The API: lab serve-model vs a plain node:http + onnxruntime server, same client, same PNG bytes.
      const apiN = Number(f['deploy-api'] ?? 2000);
      const pngs = await Promise.all(test.slice(0, 500).map((t) => import('node:fs/promises').then((fs) => fs.readFile(t.file))));
      const labApiOnce = async (): Promise<{ perS: number; failed: number }> => {
        const lab = await startModelServer({ model, labels: CLASSES, preprocessing: pre, name: 'bench', forward });
        try {
          return await loadTest(`${lab.url}/v1/predict`, pngs, apiN, 16);
        } finally {
          await lab.close();
        }
      };
      const peerApiOnce = async (): Promise<{ perS: number; failed: number }> => {
        const peerServer = http.createServer((req, res) => {
          const chunks: Buffer[] = [];
          req.on('data', (c: Buffer) => chunks.push(c));
          req.on('end', () => {
            void (async () => {
              const p = await decodeForModel(Buffer.concat(chunks), pre.input);
              const out = await session.run({ input: new ort.Tensor('float32', Float32Array.from(p, (v) => v / 255), [1, 28, 28, 1]) });
              const probs = Array.from(out.probabilities.data as Float32Array);
              res.setHeader('content-type', 'application/json');
              res.end(JSON.stringify({ predictions: probs.map((c, i) => ({ label: CLASSES[i], confidence: c })).sort((a, b) => b.confidence - a.confidence) }));
            })().catch(() => ((res.statusCode = 500), res.end()));
          });
        });
        await new Promise<void>((r) => peerServer.listen(0, '127.0.0.1', r));
        try {
          return await loadTest(`http://127.0.0.1:${(peerServer.address() as AddressInfo).port}/`, pngs, apiN, 16);
        } finally {
          await new Promise<void>((r) => peerServer.close(() => r()));
        }
      };

      const runs = { lab: [] as number[], peer: [] as number[], peerSync: [] as number[], tfjs: [] as number[], labApi: [] as number[], peerApi: [] as number[] };
      let apiFailed = { lab: 0, peer: 0 };
      // One untimed pass of each side first, so no side pays for reading the files from disk instead of the page
      // cache, nor for its code's first (unoptimised) run.
      await peerOnce('readFileSync');
      await peerOnce('decodeForModel');
      await labOnce();
      ctx.log('deploy: timing boundaries, both sides: from listing the folder to the last batch\'s probabilities; model conversion and onnxruntime session creation happen before the clock starts on both sides');
      const loadBefore = os.loadavg();
      for (let r = 0; r < reps; r++) {
        runs.lab.push(await labOnce());
        runs.peer.push(await peerOnce('decodeForModel'));
        runs.peerSync.push(await peerOnce('readFileSync'));
        const la = await labApiOnce();
        const pa = await peerApiOnce();
        runs.labApi.push(la.perS);
        runs.peerApi.push(pa.perS);
        apiFailed = { lab: apiFailed.lab + la.failed, peer: apiFailed.peer + pa.failed };
        ctx.log(`deploy: rep ${r + 1}/${reps}: lab ${Math.round(runs.lab[r])}, peer ${Math.round(runs.peer[r])}, peer (sync reads) ${Math.round(runs.peerSync[r])} images/s; API lab ${Math.round(la.perS)}, peer ${Math.round(pa.perS)} images/s`);
      }
      runs.tfjs.push(await tfjsOnce());
      const loadAfter = os.loadavg();
      const labPerS = median(runs.lab);
      const peerPerS = median(runs.peer);
      const peerSyncPerS = median(runs.peerSync);
      const tfjsPerS = median(runs.tfjs);
      const labApi = median(runs.labApi);
      const peerApi = median(runs.peerApi);
      ctx.log(`deploy: load average (1 min) ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after, on ${os.availableParallelism()} cores`);

      // TFLite: float32 and int8 (calibrated on 300 training images) on the test set, in the TFLite interpreter.
      const evalN = Math.min(test.length, Number(f['deploy-tflite-eval'] ?? 1000));
      const evalPixels = await decodeAll(test.slice(0, evalN), pre.input);
      const flat = new Uint8Array(evalN * 784);
      evalPixels.forEach((p, i) => flat.set(p, i * 784));
      const calib = new Uint8Array(300 * 784);
      for (let i = 0; i < 300; i++) calib.set(trainPixels[Math.floor((i * trainPixels.length) / 300)], i * 784);
      const f32 = await exportModel(model, { format: 'tflite', outDir: path.join(work, 'tflite'), labels: CLASSES, preprocessing: pre, modelName: 'bench' });
      const i8 = await exportModel(model, {
        format: 'tflite', outDir: path.join(work, 'tflite-int8'), labels: CLASSES, preprocessing: pre, modelName: 'bench', quantize: 'int8',
        calibration: { pixels: calib, n: 300 }, evaluation: { pixels: flat, labels: test.slice(0, evalN).map((t) => t.label) },
      });
      model.dispose();

      const rows: Row[] = [
        { what: `lab predict (${forward.engine}), median of ${reps}`, images: predicted, imagesPerS: Math.round(labPerS), accuracy: Number((labCorrect / predicted).toFixed(4)), ratio: Number((labPerS / peerPerS).toFixed(2)) },
        { what: 'peer (a): onnxruntime-node, decodeForModel(path)', images: test.length, imagesPerS: Math.round(peerPerS), accuracy: Number((peerCorrect / test.length).toFixed(4)), ratio: 1 },
        { what: 'peer (b): onnxruntime-node, readFileSync + preprocess', images: test.length, imagesPerS: Math.round(peerSyncPerS), accuracy: null, ratio: Number((peerSyncPerS / peerPerS).toFixed(2)) },
        { what: 'lab predict / peer (b)', images: null, imagesPerS: null, accuracy: null, ratio: Number((labPerS / peerSyncPerS).toFixed(2)) },
        // Each rep's two runs are neighbours in time, so this one drifts less with the load of a shared machine.
        { what: 'lab predict / peer (b), median of per-rep ratios', images: null, imagesPerS: null, accuracy: null, ratio: Number(median(runs.lab.map((l, r) => l / runs.peerSync[r]!)).toFixed(2)) },
        { what: `lab predict (tfjs, ${backend.name}), once`, images: test.length, imagesPerS: Math.round(tfjsPerS), accuracy: null, ratio: Number((tfjsPerS / peerPerS).toFixed(2)) },
        { what: `lab serve-model API (${forward.engine}), 16 clients`, images: apiN, imagesPerS: Math.round(labApi), accuracy: apiFailed.lab ? `${apiFailed.lab} failed` : 'all 200', ratio: Number((labApi / peerApi).toFixed(2)) },
        { what: 'peer API: node:http + onnxruntime', images: apiN, imagesPerS: Math.round(peerApi), accuracy: apiFailed.peer ? `${apiFailed.peer} failed` : 'all 200', ratio: 1 },
        { what: 'TFLite float32 vs lab (interpreter)', images: f32.verified?.samples ?? 0, imagesPerS: null, accuracy: `max |Δp| ${f32.verified?.maxAbsDiff.toExponential(1)}`, ratio: null },
        {
          what: `TFLite int8 on ${evalN} test images`, images: evalN, imagesPerS: null,
          accuracy: `${((i8.quantization?.accuracyBefore ?? 0) * 100).toFixed(2)}% → ${((i8.quantization?.accuracyAfter ?? 0) * 100).toFixed(2)}%, top-1 agreement ${((i8.quantization?.top1Agreement ?? 0) * 100).toFixed(1)}%, ${i8.quantization?.bytesBefore} → ${i8.quantization?.bytesAfter} bytes`,
          ratio: null,
        },
      ];
      return { rows, json: { backend: backend.name, engine: forward.engine, cores: os.availableParallelism(), loadBefore, loadAfter, runs, labPerS, tfjsPerS, peerPerS, peerSyncPerS, labApi, peerApi, apiFailed, tflite: { float32: f32.verified, int8: i8.quantization } } };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
