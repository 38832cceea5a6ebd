// Identity (tf.clone) for the wasm backend without a copy: the output shares the input's buffer, counted by
// reference as Reshape already does. tfjs clones every tensor it saves for the backward pass, so the stock
// kernel copied each layer's activations once per step. Safe because no kernel writes into an existing buffer:
// variables take new buffers on assign, and every kernel writes to outputs it allocates.
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from './heap';

type Args = { inputs: tf.NamedTensorInfoMap; backend: WasmBackend; attrs: tf.NamedAttrMap };

export function makeIdentity(stock: tf.KernelConfig | undefined): (args: Args) => tf.TensorInfo {
  return (args) => {
    const x = args.inputs.x!;
    if (x.dtype === 'string') {
      if (!stock) throw new Error('Identity: no kernel for string tensors');
      return stock.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    }
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}
