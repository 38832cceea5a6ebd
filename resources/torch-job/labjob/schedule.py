"""Learning rate at (epoch, batch), both 0-based: src/main/training/lr-schedule.ts."""
import math


def learning_rate_at(config, epoch, batch, batches_per_epoch):
    base = config["optimizer"]["lr"]
    s = config.get("schedule") or {"kind": "constant"}
    warm = s.get("warmupEpochs", 0) or 0
    progress = epoch + (batch + 1) / max(1, batches_per_epoch)
    if warm > 0 and progress <= warm:
        return base * progress / warm
    e = max(0, epoch - math.ceil(warm))
    kind = s.get("kind", "constant")
    if kind == "constant":
        return base
    if kind == "step":
        return base * s.get("gamma", 0.1) ** math.floor(e / s.get("stepEpochs", 10))
    if kind == "exponential":
        return base * s.get("gamma", 0.1) ** e
    if kind == "cosine":
        span = max(1, config["epochs"] - math.ceil(warm) - 1)
        t = min(1, e / span)
        mf = s.get("minFactor", 0)
        return base * (mf + (1 - mf) * 0.5 * (1 + math.cos(math.pi * t)))
    raise ValueError(kind)
