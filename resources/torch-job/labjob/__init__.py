"""labjob: runs an image-classification lab experiment on PyTorch (one process, or DistributedDataParallel ranks).

The lab writes a job folder (job.json, raw uint8 data shards, the initial tfjs model) and copies this package into it;
`python3 -m labjob run --job <dir>` trains it with the lab's own rules (model, optimizers, schedules, early stopping,
dropout masks, augmentation, batch order) and writes the trained weights back in the tfjs layers format.
Only torch, numpy and the standard library are used.
"""

__version__ = "1"
