"""torchrun-style ranks: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK. Absent: one process, no group."""
import datetime
import os

import torch
import torch.distributed as dist


class World:
    def __init__(self):
        self.rank = int(os.environ.get("RANK", "0"))
        self.size = int(os.environ.get("WORLD_SIZE", "1"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", str(self.rank)))
        self.local_size = int(os.environ.get("LOCAL_WORLD_SIZE", str(self.size)))
        self.group = None
        self.device = torch.device("cpu")

    @property
    def distributed(self):
        return self.size > 1

    def pick_device(self, wanted):
        if wanted == "cuda" or (wanted == "auto" and torch.cuda.is_available()):
            if not torch.cuda.is_available():
                return None
            self.device = torch.device("cuda", self.local_rank % torch.cuda.device_count())
            torch.cuda.set_device(self.device)
        return self.device

    def init(self):
        if not self.distributed:
            return
        backend = "nccl" if self.device.type == "cuda" else "gloo"
        timeout = datetime.timedelta(seconds=float(os.environ.get("LABJOB_DIST_TIMEOUT_S", "1800")))
        dist.init_process_group(backend, init_method="env://", rank=self.rank, world_size=self.size, timeout=timeout)
        self.group = dist.group.WORLD

    def all_sum(self, values):
        """Sums a list of floats over ranks (float64), the same result on every rank."""
        t = torch.tensor(values, dtype=torch.float64, device=self.device if self.device.type == "cuda" else "cpu")
        if self.distributed:
            dist.all_reduce(t)
        return t.cpu().tolist()

    def shard(self, n):
        """This rank's [start, end) of n global rows (as equal as possible; empty when n < ranks)."""
        return (self.rank * n) // self.size, ((self.rank + 1) * n) // self.size

    def close(self):
        if self.distributed and dist.is_initialized():
            dist.destroy_process_group()
