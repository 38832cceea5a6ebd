"""
The lab's seeded randomness, bit for bit (src/shared/random.ts, src/main/training/seeded-random.ts,
src/main/training/class-balance.ts, src/main/engine/dropout-op.ts): the same seed gives the same epoch order, the
same oversampled draw and the same dropout masks as the lab's own engine, whatever the number of ranks.
"""
import math

import numpy as np

M32 = 0xFFFFFFFF


def imul(a, b):
    """Math.imul: 32-bit wrapping multiply, as an unsigned result."""
    return ((a & M32) * (b & M32)) & M32


def mulberry32(seed):
    """Floats in [0, 1), the same sequence as the lab's mulberry32(seed)."""
    state = [seed & M32]

    def rng():
        state[0] = (state[0] + 0x6D2B79F5) & M32
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0

    return rng


def mix_seed(*parts):
    """mixSeed: several integers folded into one 32-bit seed."""
    h = 0x811C9DC5
    for p in parts:
        h = imul(h ^ (int(p) & M32), 0x01000193)
        h = imul(h ^ (h >> 13), 0x5BD1E995)
    return h & M32


def seed_source(seed):
    """seedSource: one float seed per call (never 0, which tfjs reads as 'no seed')."""
    rng = mulberry32(seed)
    return lambda: rng() or 1e-9


def seeded_permutation(n, seed):
    """Fisher–Yates permutation of 0..n-1 driven by mulberry32(seed)."""
    rng = mulberry32(seed)
    order = list(range(n))
    for i in range(n - 1, 0, -1):
        j = int(math.floor(rng() * (i + 1)))
        order[i], order[j] = order[j], order[i]
    return np.asarray(order, dtype=np.int64)


SHUFFLE_SALT = 0x5F1E
OVERSAMPLE_SALT = 0x0B5A
DROPOUT_SALT = 0xD20
INIT_SALT = 0x1A17


def class_counts(y, num_classes):
    return np.bincount(np.asarray(y, dtype=np.int64), minlength=num_classes)[:num_classes].tolist()


def class_weights(counts):
    """n / (K · n_c) for each present class, 0 for an absent one (class-balance.ts)."""
    present = [c for c in counts if c > 0]
    n = sum(present)
    return [n / (len(present) * c) if c > 0 else 0.0 for c in counts]


def oversampled_order(y, num_classes, seed):
    members = [[] for _ in range(num_classes)]
    for i, label in enumerate(np.asarray(y).tolist()):
        members[label].append(i)
    target = max(len(m) for m in members)
    rng = mulberry32(seed)
    rows = []
    for lst in members:
        if not lst:
            continue
        k = 0
        while k + len(lst) <= target:
            rows.extend(lst)
            k += len(lst)
        rest = target % len(lst)
        if rest > 0:
            pool = list(lst)
            for i in range(rest):
                j = i + int(math.floor(rng() * (len(pool) - i)))
                pool[i], pool[j] = pool[j], pool[i]
                rows.append(pool[i])
    perm = seeded_permutation(len(rows), mix_seed(seed, 1))
    rows = np.asarray(rows, dtype=np.int64)
    return rows[perm]


def epoch_length(balance, y, num_classes):
    if balance != "oversample":
        return len(y)
    counts = class_counts(y, num_classes)
    return max(counts) * sum(1 for c in counts if c > 0)


def epoch_order(balance, y, num_classes, seed, epoch):
    """The rows of epoch `epoch` (0-based), in training order."""
    s = mix_seed(seed, SHUFFLE_SALT, epoch)
    if balance == "oversample":
        return oversampled_order(y, num_classes, mix_seed(s, OVERSAMPLE_SALT))
    return seeded_permutation(len(y), s)


def dropout_seeds(seed, epoch, batch):
    """The seeds the lab hands its Dropout layers for (epoch, batch), in forward order."""
    return seed_source(mix_seed(seed, DROPOUT_SALT, epoch, batch))


def _mix32(x):
    x = x.astype(np.uint32)
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return x


def mask_seed(seed):
    return (int(math.floor(seed * 2**32)) if 0 < seed < 1 else int(math.floor(seed))) & M32


def dropout_mask(start, count, rate, seed):
    """
    Elements [start, start+count) of the lab's inverted-dropout multiplier over a tensor in tfjs (NHWC, row-major)
    order: u_i = mix32(mix32(seed) + i) >> 8 over 2^24; 1/(1−rate) (as float32) where u_i ≥ rate, else 0.
    """
    base = int(_mix32(np.asarray([mask_seed(seed)], dtype=np.uint32))[0])
    idx = (np.arange(start, start + count, dtype=np.uint64) + base) & np.uint64(M32)
    u = (_mix32(idx.astype(np.uint32)) >> np.uint32(8)).astype(np.float64) / 16777216.0
    threshold = float(np.float32(rate))
    scale = np.float32(1.0 / (1.0 - rate))
    return np.where(u >= threshold, scale, np.float32(0)).astype(np.float32)
