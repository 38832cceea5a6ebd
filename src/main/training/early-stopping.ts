/**
 * Early stopping in the document's sense (docs/CONCEPTS.md#early-stopping): watch a validation metric each epoch, stop when it has
 * not improved by more than minDelta for `patience` epochs, and optionally go back to the best weights.
 * It also decides which epoch is "best" for the best checkpoint and the chart's marker, even when disabled.
 * Without a validation split the best epoch is judged on the training loss and nothing is stopped.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../../shared/config';
import type { EpochLog } from '../../shared/dto';

export class EarlyStopping {
  readonly monitor: 'val_loss' | 'val_accuracy' | 'loss';
  private bestWeights: tf.Tensor[] | null = null;
  bestEpoch: number | null = null;
  bestValue: number | null = null;
  wait = 0;

  constructor(
    private readonly cfg: TrainConfig['earlyStopping'],
    hasVal: boolean,
  ) {
    this.monitor = hasVal ? cfg.monitor : 'loss';
  }

  get active(): boolean {
    return this.cfg.enabled && this.monitor !== 'loss';
  }

  private value(log: EpochLog): number | null {
    const v = this.monitor === 'val_loss' ? log.valLoss : this.monitor === 'val_accuracy' ? log.valAccuracy : log.loss;
    return v !== null && Number.isFinite(v) ? v : null;
  }

  private improves(v: number): boolean {
    if (this.bestValue === null) return true;
    return this.monitor === 'val_accuracy' ? v > this.bestValue + this.cfg.minDelta : v < this.bestValue - this.cfg.minDelta;
  }

  /** Updates the state with a finished epoch; fills log.bestEpoch / log.patienceLeft. Returns whether this epoch is the new best. */
  update(log: EpochLog, model: tf.LayersModel): boolean {
    const v = this.value(log);
    let isBest = false;
    if (v !== null && this.improves(v)) {
      this.bestValue = v;
      this.bestEpoch = log.epoch;
      this.wait = 0;
      isBest = true;
      if (this.cfg.enabled && this.cfg.restoreBest) this.keepWeights(model.getWeights());
    } else {
      this.wait++;
    }
    log.bestEpoch = this.bestEpoch;
    log.patienceLeft = this.active ? Math.max(0, this.cfg.patience - this.wait) : null;
    return isBest;
  }

  get shouldStop(): boolean {
    return this.active && this.wait >= this.cfg.patience;
  }

  keepWeights(weights: tf.Tensor[]): void {
    this.disposeWeights();
    this.bestWeights = weights.map((w) => tf.clone(w));
  }

  /** Puts the best weights back when restoreBest asks for it; returns the epoch restored, or null. */
  restore(model: tf.LayersModel, lastEpoch: number): number | null {
    if (!this.cfg.enabled || !this.cfg.restoreBest || !this.bestWeights || this.bestEpoch === null || this.bestEpoch === lastEpoch) return null;
    model.setWeights(this.bestWeights);
    return this.bestEpoch;
  }

  disposeWeights(): void {
    this.bestWeights?.forEach((w) => w.dispose());
    this.bestWeights = null;
  }
}
