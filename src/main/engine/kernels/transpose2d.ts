// Cache-blocked 2-D transpose: out[c, r] = a[r, c] for a row-major [rows, cols] matrix.
const BLOCK = 32;

export function transpose2d(
  a: Float32Array,
  rows: number,
  cols: number,
  out: Float32Array,
  aOffset = 0,
  outOffset = 0,
): void {
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = Math.min(r0 + BLOCK, rows);
    for (let c0 = 0; c0 < cols; c0 += BLOCK) {
      const c1 = Math.min(c0 + BLOCK, cols);
      for (let r = r0; r < r1; r++) {
        let src = aOffset + r * cols + c0;
        for (let c = c0; c < c1; c++) out[outOffset + c * rows + r] = a[src++];
      }
    }
  }
}
