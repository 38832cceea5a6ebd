// UnsortedSegmentSum (the gradient of gather): out[ids[i], :] += x[i, :]; ids outside [0, numSegments) are dropped,
// as in TensorFlow.

export function unsortedSegmentSum(
  x: Float32Array | Int32Array,
  ids: Int32Array,
  numSegments: number,
  inner: number,
  out: Float32Array | Int32Array,
): void {
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let k = 0; k < inner; k++) out[dst + k]! += x[src + k]!;
  }
}
