"""Rank 0's metric lines on stdout: `LAB ` + one JSON object per event, as the lab's metrics.jsonl records them."""
import json
import math
import sys


def _clean(v):
    if isinstance(v, float) and not math.isfinite(v):
        return None if math.isnan(v) else (1e308 if v > 0 else -1e308)
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


class Events:
    def __init__(self, rank):
        self.on = rank == 0

    def emit(self, kind, **fields):
        if not self.on:
            return
        sys.stdout.write("LAB " + json.dumps(_clean({"kind": kind, **fields}), separators=(",", ":")) + "\n")
        sys.stdout.flush()

    def log(self, level, code, text, **params):
        self.emit("log", level=level, code=code, params=params, text=text)
