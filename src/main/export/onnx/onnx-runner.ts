/**
 * Runs an ONNX export with onnxruntime-node for verification. The runtime is loaded lazily and is
 * optional: where it is missing the export is written but not run back (and says so).
 */
import type { Preprocessing } from '../../../shared/dto';
import { normalizationOf } from '../preprocessing-doc';
import type { Runner } from '../verify-export';

type Ort = typeof import('onnxruntime-node');

async function loadOrt(): Promise<Ort | null> {
  try {
    return await import('onnxruntime-node');
  } catch {
    return null;
  }
}

export async function onnxRunner(file: string, pre: Preprocessing): Promise<Runner | null> {
  const ort = await loadOrt();
  if (!ort) return null;
  const session = await ort.InferenceSession.create(file);
  const { scale, offset } = normalizationOf(pre.normalization);
  const { size, channels } = pre.input;
  return async (pixels, n) => {
    const x = new Float32Array(pixels.length);
    for (let i = 0; i < x.length; i++) x[i] = pixels[i] * scale + offset;
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [n, size, size, channels]) });
    return out[session.outputNames[0]].data as Float32Array;
  };
}
