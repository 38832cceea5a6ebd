import type * as tf from '@tensorflow/tfjs';

/**
 * The training path's augmentation: applied per batch inside the training process, with parameters drawn
 * from one seeded generator per (seed, epoch, image) so previews and batches agree.
 */
export interface BatchAugmentContext {
  epoch: number;
  /** manifest index of each image in the batch */
  imageIds: Int32Array;
}

export interface BatchAugmenter {
  /** x: float32 NHWC in [0,1]; y: one-hot labels. Returns new tensors (the caller disposes inputs and outputs). */
  apply(x: tf.Tensor4D, y: tf.Tensor2D, ctx: BatchAugmentContext): { x: tf.Tensor4D; y: tf.Tensor2D };
}
