"""
The lab's batches (src/main/training/batch-source.ts): epoch e is the seeded order of (seed, e) (or the oversampled
draw), batch b its rows b·B … (b+1)·B. Every rank computes the whole global batch's rows and labels, and takes its
own contiguous share of the pixels, so N processes train on exactly the batches one process would.
"""
import numpy as np
import torch

from . import seeded


class Batches:
    def __init__(self, job, world, drop_lonely, augmenter=None):
        self.split = job.train
        self.world = world
        self.B = job.config["batchSize"]
        self.seed = job.seed
        self.balance = job.balance
        self.C = len(job.classes)
        self.job = job
        self.augmenter = augmenter
        per_epoch = seeded.epoch_length(self.balance, self.split.y, self.C)
        full, rest = divmod(per_epoch, self.B)
        self.batches_per_epoch = full + (1 if rest > 0 and not (drop_lonely and rest == 1) else 0)
        self.order = np.zeros(0, np.int64)
        self.epoch = 0

    def begin_epoch(self, epoch):
        self.epoch = epoch
        self.order = seeded.epoch_order(self.balance, self.split.y, self.C, self.seed, epoch)

    def global_rows(self, b):
        return self.order[b * self.B : min(len(self.order), (b + 1) * self.B)]

    def normalise_u8(self, u8):
        return self.job.normalise(u8)

    def normalise_unit(self, t):
        return t * 2.0 - 1.0 if self.job.normalization == "symmetric" else t

    def batch(self, b):
        """(x of this rank's rows, their soft labels, all labels of the global batch, first global row of the shard)."""
        rows = self.global_rows(b)
        n = len(rows)
        y = torch.nn.functional.one_hot(torch.from_numpy(self.split.y[rows]), self.C).float()
        s, e = self.world.shard(n)
        if self.augmenter is None:
            x = self.normalise_u8(self.split.x[rows[s:e]])
            return x, y[s:e], y, s
        ids = self.split.ids[rows]
        x, y_local, y_all = self.augmenter.batch(self.split.x, rows, ids, y, s, e, self.epoch)
        return self.normalise_unit(x), y_local, y_all, s
