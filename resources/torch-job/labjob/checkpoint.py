"""ckpt/last.pt (everything a resume needs) and ckpt/best.pt (the best epoch's weights), written tmp + rename."""
import os

import torch


def save(path, state):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    torch.save(state, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load(path):
    if not os.path.exists(path):
        return None
    try:
        # Our own file (weights, optimizer slots, numbers): PyTorch ≥ 2.6 would otherwise refuse its plain Python values.
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # PyTorch < 1.13 has no weights_only
        return torch.load(path, map_location="cpu")
