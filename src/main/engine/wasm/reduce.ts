// Sum and Mean over leading axes (batch-norm statistics over N, H, W) for the wasm backend, which would first
// transpose the tensor with a slow scalar loop. Every other reduction goes to the original kernel.
import * as tf from '@tensorflow/tfjs';
import { leadingSplit, sumLeading } from '../kernels/reduce-leading';
import { alloc, f32, type WasmBackend } from './heap';

type Args = { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: tf.NamedAttrMap };

export function makeLeadingReduce(kind: 'sum' | 'mean', original: tf.KernelConfig | undefined) {
  const setUp = new WeakSet<object>();
  return (args: Args): tf.TensorInfo | tf.TensorInfo[] => {
    const { inputs, backend, attrs } = args;
    const x = inputs.x!;
    const axisAttr = attrs.axis as number | number[] | null | undefined;
    const axes = axisAttr == null ? null : Array.isArray(axisAttr) ? axisAttr : [axisAttr];
    const split = x.dtype === 'float32' ? leadingSplit(x.shape, axes) : null;
    if (!split) {
      if (!original) throw new Error(`wasm ${kind}: no kernel for axes ${String(axes)}`);
      // The original's setup is skipped when we are registered before the backend initialises.
      if (original.setupFunc && !setUp.has(backend)) {
        original.setupFunc(backend);
        setUp.add(backend);
      }
      return original.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]);
    }
    const [outer, inner, k] = split;
    const outShape = attrs.keepDims
      ? x.shape.map((d, i) => (i < k ? 1 : d))
      : x.shape.slice(k);
    const out = alloc(backend, outShape);
    sumLeading(f32(backend, x), outer, inner, f32(backend, out), kind === 'mean' ? 1 / outer : 1);
    return out;
  };
}
