// Sum over the leading axes of a row-major array viewed as [outer, inner] → [inner]: one streaming pass,
// accumulating in float64 (batch-norm statistics sum ~10⁵ terms per channel).

export function sumLeading(x: Float32Array, outer: number, inner: number, out: Float32Array, scale = 1): void {
  const acc = new Float64Array(inner);
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) acc[i]! += x[p++]!;
  }
  for (let i = 0; i < inner; i++) out[i] = acc[i]! * scale;
}

/**
 * When `axes` are exactly the leading dims 0..k-1 (1 ≤ k ≤ rank; null = all), returns [outer, inner, k];
 * otherwise null.
 */
export function leadingSplit(shape: readonly number[], axes: readonly number[] | null): [number, number, number] | null {
  const rank = shape.length;
  if (rank === 0) return null;
  const all = axes ?? shape.map((_, i) => i);
  const norm = [...new Set(all.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (norm.length === 0) return null;
  for (let i = 0; i < norm.length; i++) if (norm[i] !== i) return null;
  let outer = 1;
  for (let i = 0; i < norm.length; i++) outer *= shape[i]!;
  let inner = 1;
  for (let i = norm.length; i < rank; i++) inner *= shape[i]!;
  return [outer, inner, norm.length];
}
