"""
The lab's fit loop on torch (src/main/training/train-loop.ts and its callbacks): per batch the schedule's rate, the
seeded dropout masks, the step (cross-entropy from the logits, L2, clipping, the rule optimizer), the NaN guard and
the batch line; per epoch validation, early stopping, the checkpoint, the time budget and the epoch line.
Under DistributedDataParallel each rank trains its share of every global batch; the loss is scaled so the averaged
gradient is the global batch's, and batch norm uses the global batch's statistics: N ranks follow one process's curve.
"""
import json
import math
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import torch
import torch.nn.functional as F

from . import checkpoint, seeded
from .batches import Batches
from .early_stopping import EarlyStopping
from .errors import JobError, Stopped, TrainingFailed
from .model import load_model
from .optim import RuleOptimizer, clip_by_global_norm
from .schedule import learning_rate_at

PROB_EPSILON = 1e-7


class StopFlag:
    def __init__(self):
        self.set = False

    def install(self):
        def handler(signum, frame):
            self.set = True

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


class Trainer:
    def __init__(self, job, world, events, stop, resume=True, augmenter=None):
        self.job, self.world, self.events, self.stop = job, world, events, stop
        self.config = job.config
        self.C = len(job.classes)
        model, self.wm, self.doc = load_model(job.model_dir, job.input_shape)
        with torch.no_grad():
            out = model.eval()(torch.zeros(1, *job.input_shape))
        if out.dim() != 2 or out.shape[1] != self.C:
            raise JobError("torchJob.classCount", f"The model outputs {list(out.shape[1:])} values per image but the job has {self.C} classes: write the job again from the lab.", outUnits=list(out.shape[1:]), numClasses=self.C)
        self.model = model.to(world.device)
        if world.distributed:
            for bn in model.batch_norms:
                bn.group = world.group
        pairs = []
        for layer, slot, key, attr, kind in model.slots:
            t = model.tensor_of(key, attr)
            if isinstance(t, torch.nn.Parameter) and t.requires_grad:
                pairs.append((t, model.decays(slot)))
        self.params = [p for p, _ in pairs]
        self.optimizer = RuleOptimizer(self.config["optimizer"], self.params, self.config.get("weightDecay"), [d for _, d in pairs])
        self.net = model
        if world.distributed and self.params:
            from torch.nn.parallel import DistributedDataParallel as DDP

            ids = [world.device.index] if world.device.type == "cuda" else None
            self.net = DDP(model, device_ids=ids, broadcast_buffers=False)
        cw = job.class_weights
        if cw is None and job.config.get("balance") == "class-weights":
            cw = seeded.class_weights(seeded.class_counts(job.train.y, self.C))
        self.class_weights = torch.tensor(cw, dtype=torch.float32) if cw is not None else None
        trainable_bn = any(not bn.frozen for bn in model.batch_norms)
        B = self.config["batchSize"]
        self.drop_lonely = trainable_bn and B > 1 and job.train.n % B == 1
        self.batches = Batches(job, world, self.drop_lonely, augmenter)
        if self.batches.batches_per_epoch == 0:
            raise JobError("torchJob.noFullBatch", f"The training split ({job.train.n} images) is too small for one batch.", n=job.train.n)
        self.has_val = job.val is not None and job.val.n > 0
        self.early = EarlyStopping(self.config.get("earlyStopping") or {}, self.has_val)
        self.best_state = None
        self.history = []
        self.epochs_done = 0
        self.next_batch = 0
        self.sums = [0.0, 0.0, 0]
        self.epoch_elapsed = 0.0
        self.elapsed_before = 0.0
        self.resumed = resume and self._resume()
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="labjob-batches")

    # ── checkpoints ─────────────────────────────────────────────────────────────────────────────────────────
    @property
    def last_path(self):
        return os.path.join(self.job.ckpt_dir, "last.pt")

    @property
    def best_path(self):
        return os.path.join(self.job.ckpt_dir, "best.pt")

    def _state(self, mid_epoch, elapsed):
        return {
            "version": 1,
            "model": {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()},
            "optimizer": {"name": self.optimizer.name, "slots": [{k: (v.detach().cpu().clone() if torch.is_tensor(v) else v) for k, v in s.items()} for s in self.optimizer.slots]},
            "early": self.early.state(),
            "epochsDone": self.epochs_done,
            "nextBatch": self.next_batch if mid_epoch else 0,
            "sums": list(self.sums) if mid_epoch else [0.0, 0.0, 0],
            "epochElapsedS": self.epoch_elapsed if mid_epoch else 0.0,
            "elapsedS": elapsed,
            "history": list(self.history),
        }

    def _save_last(self, mid_epoch, elapsed):
        if self.world.rank == 0:
            checkpoint.save(self.last_path, self._state(mid_epoch, elapsed))

    def _resume(self):
        # Rank 0's checkpoint is the one that counts (other nodes may not share its file system): it is sent to every rank.
        state = best = None
        if self.world.rank == 0:
            state = checkpoint.load(self.last_path)
            if state is not None and state["early"]["bestEpoch"] is not None:
                best = checkpoint.load(self.best_path)
        if self.world.distributed:
            import torch.distributed as dist

            box = [state, best]
            dist.broadcast_object_list(box, src=0)
            state, best = box
        if state is None:
            return False
        self.model.load_state_dict(state["model"])
        dev = self.world.device
        self.optimizer.load_state_dict({"name": state["optimizer"]["name"], "slots": [{k: (v.to(dev) if torch.is_tensor(v) else v) for k, v in s.items()} for s in state["optimizer"]["slots"]]})
        self.early.load(state["early"])
        self.epochs_done = state["epochsDone"]
        self.next_batch = state["nextBatch"]
        self.sums = list(state["sums"])
        self.epoch_elapsed = state["epochElapsedS"]
        self.elapsed_before = state["elapsedS"]
        self.history = list(state["history"])
        if self.early.keeps_best and best is not None:
            self.best_state = best["model"]
        return True

    # ── the loop ────────────────────────────────────────────────────────────────────────────────────────────
    def run(self):
        cfg, ev = self.config, self.events
        self.session_start = time.time()
        if self.resumed:
            ev.log("info", "torchJob.resumed", f"Resuming from the checkpoint at epoch {self.epochs_done + 1}, batch {self.next_batch + 1}.", epoch=self.epochs_done + 1, batch=self.next_batch + 1)
        if self.drop_lonely:
            ev.log("info", "torchJob.lonelyBatch", "The last batch of each epoch would hold one image; it is skipped because batch normalization needs at least two.")
        if cfg["batchSize"] == 1 and any(not bn.frozen for bn in self.model.batch_norms):
            ev.log("warn", "torchJob.batchSizeOne", "Batch size 1 with batch normalization: every feature is normalized to β. Use a batch size of at least 8, or turn batch normalization off.")
        if self.early.enabled and not self.early.active:
            ev.log("warn", "torchJob.noValidation", "No validation images: early stopping is off for this run (the best epoch is judged on the training loss).")
        reason = "completed"
        while self.epochs_done < cfg["epochs"]:
            reason = self._epoch(self.epochs_done)
            if reason != "completed":
                break
        restored = None
        if self.early.keeps_best and self.best_state is not None and self.early.best_epoch is not None and self.early.best_epoch != self.epochs_done:
            self.model.load_state_dict(self.best_state)
            restored = self.early.best_epoch
            ev.log("info", "torchJob.restoredBest", f"Restored the weights of the best epoch ({restored}, {self.early.monitor} {self.early.best_value:.4g}).", epoch=restored, monitor=self.early.monitor, value=self.early.best_value)
        self._write_outputs()
        ev.emit("done", bestEpoch=self.early.best_epoch, stoppedEarly=reason == "early-stopped", reason=reason, epochsDone=self.epochs_done)
        return reason

    def elapsed(self):
        return self.elapsed_before + (time.time() - self.session_start)

    def _epoch(self, epoch):
        cfg, world, ev = self.config, self.world, self.events
        t0 = time.time() - self.epoch_elapsed
        self.batches.begin_epoch(epoch)
        bpe = self.batches.batches_per_epoch
        lr = cfg["optimizer"]["lr"]
        # The next batch (pixels read, augmented, normalised) is prepared on a thread while this one trains.
        ahead = self.pool.submit(self.batches.batch, self.next_batch) if self.next_batch < bpe else None
        for b in range(self.next_batch, bpe):
            lr = learning_rate_at(cfg, epoch, b, bpe)
            data = ahead.result()
            ahead = self.pool.submit(self.batches.batch, b + 1) if b + 1 < bpe else None
            loss, acc, n, stop = self._step(epoch, b, lr, data)
            if not math.isfinite(loss):
                what = "NaN" if math.isnan(loss) else "Inf"
                raise TrainingFailed("torchJob.nanLoss", f"loss became {what} at epoch {epoch + 1} batch {b + 1}: learning rate likely too large or inputs out of range", what=what, epoch=epoch + 1, batch=b + 1, lr=lr)
            ev.emit("batch", epoch=epoch + 1, batch=b + 1, batchesPerEpoch=bpe, loss=loss, accuracy=acc, lr=lr)
            self.sums[0] += loss * n
            self.sums[1] += acc * n
            self.sums[2] += n
            self.next_batch = b + 1
            if stop:
                if ahead is not None:
                    ahead.cancel()
                self.epoch_elapsed = time.time() - t0
                self._save_last(True, self.elapsed())
                ev.log("info", "torchJob.stopped", f"Stopped after epoch {epoch + 1} batch {b + 1}; the checkpoint resumes from there.", epoch=epoch + 1, batch=b + 1)
                raise Stopped()
        train_s = max(1e-9, time.time() - t0)
        val_loss = val_acc = None
        if self.has_val:
            val_loss, val_acc = self.validate()
        duration = max(1e-9, time.time() - t0)
        loss_sum, acc_sum, seen = self.sums
        log = {
            "epoch": epoch + 1,
            "loss": loss_sum / seen,
            "accuracy": acc_sum / seen,
            "valLoss": val_loss,
            "valAccuracy": val_acc,
            "lr": lr,
            "durationS": duration,
            "imagesPerS": seen / train_s,
            "bestEpoch": None,
            "patienceLeft": None,
        }
        is_best = self.early.update(log)
        self.epochs_done = epoch + 1
        self.next_batch, self.sums, self.epoch_elapsed = 0, [0.0, 0.0, 0], 0.0
        self.history.append(log)
        if is_best and self.early.keeps_best:
            self.best_state = {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()}
            if world.rank == 0:
                checkpoint.save(self.best_path, {"epoch": epoch + 1, "model": self.best_state})
        self._save_last(False, self.elapsed())
        ev.emit("epoch", **log)
        if self.early.should_stop:
            p = (cfg.get("earlyStopping") or {}).get("patience", 5)
            ev.log("info", "torchJob.earlyStopped", f"Early stopping: {self.early.monitor} has not improved for {p} epoch(s); best epoch {self.early.best_epoch}.", monitor=self.early.monitor, patience=p, bestEpoch=self.early.best_epoch)
            return "early-stopped"
        budget = cfg.get("timeBudgetS")
        if budget is not None and self.elapsed() >= budget:
            ev.log("info", "torchJob.timeBudget", f"Time budget of {budget} s reached after epoch {epoch + 1}.", budget=budget, epoch=epoch + 1)
            return "time-budget"
        if self.stop.set:
            stop = self.world.all_sum([1.0])[0] > 0
        else:
            stop = self.world.all_sum([0.0])[0] > 0
        if stop:
            ev.log("info", "torchJob.stopped", f"Stopped after epoch {epoch + 1}; the checkpoint resumes from there.", epoch=epoch + 1, batch=0)
            raise Stopped()
        return "completed"

    def _step(self, epoch, b, lr, data):
        """One global batch; returns (batch loss, batch accuracy, images, whether any rank was asked to stop)."""
        world = self.world
        x, y, y_all, row0 = data
        x, y = x.to(world.device), y.to(world.device)
        seeds = seeded.dropout_seeds(self.job.seed, epoch, b)
        for d in self.model.dropouts:
            d.seed = seeds()
            d.row0 = row0
        n_global = y_all.shape[0]
        for bn in self.model.batch_norms:
            bn.global_rows = n_global
        cw = self.class_weights
        w_total = float((y_all * cw).sum()) if cw is not None else float(n_global)
        self.model.train()
        out = self.net(x, until=self.model.logits_name)
        logp = F.log_softmax(out, dim=-1) if self.model.logits_name else torch.log(torch.clamp(out, PROB_EPSILON, 1 - PROB_EPSILON))
        per = -(y * logp).sum(-1)
        w = (y * cw.to(y.device)).sum(-1) if cw is not None else None
        weighted = (w * per).sum() if w is not None else per.sum()
        for p in self.params:
            p.grad = None
        if self.params:
            (weighted * (world.size / w_total)).backward()
        correct = float((out.detach().argmax(-1) == y.argmax(-1)).sum()) if y.shape[0] else 0.0
        tot = world.all_sum([float(weighted.detach()), correct, 1.0 if self.stop.set else 0.0])
        loss = tot[0] / w_total
        if math.isfinite(loss) and self.params:
            grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
            grads = self.optimizer.with_l2(grads)
            clip = self.config.get("clipNorm")
            if clip is not None:
                grads, _ = clip_by_global_norm(grads, clip)
            self.optimizer.apply(grads, lr)
        for d in self.model.dropouts:
            d.seed = None
        return loss, tot[1] / n_global, n_global, tot[2] > 0

    @torch.no_grad()
    def predict(self, split, rows=None, batch=128):
        """Inference-mode probabilities of `rows` of a split (default all), as float32 [n, C]."""
        self.model.eval()
        rows = np.arange(split.n) if rows is None else rows
        outs = []
        for i in range(0, len(rows), batch):
            x = self.batches.normalise_u8(split.x[rows[i : i + batch]]).to(self.world.device)
            outs.append(self.model(x).float().cpu())
        return torch.cat(outs) if outs else torch.zeros(0, self.C)

    def validate(self):
        """Mean cross-entropy (probabilities clipped as Keras does) and accuracy on the validation split, over ranks."""
        split = self.job.val
        s, e = self.world.shard(split.n)
        probs = self.predict(split, np.arange(s, e))
        labels = torch.from_numpy(split.y[s:e])
        p = torch.clamp(probs.double().gather(1, labels.view(-1, 1)).squeeze(1), PROB_EPSILON, 1 - PROB_EPSILON) if e > s else torch.zeros(0, dtype=torch.float64)
        correct = float((probs.argmax(-1) == labels).sum()) if e > s else 0.0
        tot = self.world.all_sum([float(-torch.log(p).sum()), correct])
        return tot[0] / split.n, tot[1] / split.n

    def _write_outputs(self):
        out = self.job.out_dir
        os.makedirs(out, exist_ok=True)
        sha = self.wm.sha256()
        with open(os.path.join(out, f"weights-sha256-rank{self.world.rank}.txt"), "w") as f:
            f.write(sha + "\n")
        if self.world.rank == 0:
            self.wm.save(self.doc, out)
            tmp = os.path.join(out, f"history.json.tmp-{os.getpid()}")
            with open(tmp, "w") as f:
                json.dump(self.history, f)
            os.replace(tmp, os.path.join(out, "history.json"))
