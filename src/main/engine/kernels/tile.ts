// Tile with block copies. When the input repeats as one contiguous block (the batch-norm gradient's
// [1,1,1,C] → [N,H,W,C]), the output is filled by doubling copyWithin; otherwise row by row.

export function tileShape(shape: readonly number[], reps: readonly number[]): number[] {
  return shape.map((d, i) => d * reps[i]!);
}

export function tile(
  x: Float32Array | Int32Array,
  shape: readonly number[],
  reps: readonly number[],
  out: Float32Array | Int32Array,
): void {
  const rank = shape.length;
  const size = x.length;
  if (out.length === 0) return;
  if (rank === 0) {
    out[0] = x[0]!;
    return;
  }
  // Whole-block repetition: leading input dims are 1 and trailing reps are 1.
  let k = 0;
  while (k < rank && shape[k] === 1) k++;
  let trailingOnes = true;
  for (let i = k; i < rank; i++) if (reps[i] !== 1) trailingOnes = false;
  if (trailingOnes) {
    out.set(x, 0);
    let filled = size;
    while (filled < out.length) {
      const n = Math.min(filled, out.length - filled);
      out.copyWithin(filled, 0, n);
      filled += n;
    }
    return;
  }
  // General case: for each output row of the last dimension, copy the matching input row `reps[last]` times.
  const outShape = tileShape(shape, reps);
  const last = shape[rank - 1]!;
  const outLast = outShape[rank - 1]!;
  const rows = out.length / outLast;
  const idx = new Array<number>(rank - 1).fill(0);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * shape[i + 1]!;
  for (let row = 0; row < rows; row++) {
    let src = 0;
    for (let d = 0; d < rank - 1; d++) src += (idx[d]! % shape[d]!) * inStrides[d]!;
    const dst = row * outLast;
    for (let rep = 0; rep < outLast; rep += last) out.set(x.subarray(src, src + last), dst + rep);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      if (idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
}
