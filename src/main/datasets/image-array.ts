/** A split of a dataset decoded into memory: the unit the trainer, evaluation and benchmarks consume. */
export interface ImageArray {
  /** n × size × size × channels, uint8, NHWC, row-major */
  x: Uint8Array;
  /** class index per image */
  y: Int32Array;
  /** manifest index of each image (to name files in evaluations and to seed per-image augmentation) */
  index: Int32Array;
  n: number;
  size: number;
  channels: 1 | 3;
  classes: string[];
}
