"""
The lab's training-time augmentation, ported number for number (src/shared/augment-config.ts, src/main/augment/
prng.ts, params.ts, geometry.ts, cpu-kernel.ts, batch-path.ts): parameters drawn from one generator per (seed, epoch,
image id, transform), then per image colour (clamped), bilinear affine with the fill mode, random erasing; mixup per
global batch. Each rank augments only the images it trains on (and their mixup partners).
"""
import math

import numpy as np
import torch

M32 = 0xFFFFFFFF

# ── seeded numbers (prng.ts) ─────────────────────────────────────────────────────────────────────────────────


def _imul(a, b):
    return ((a & M32) * (b & M32)) & M32


def _to_u32(v):
    if not math.isfinite(v):
        return 0
    i = int(v)  # trunc
    lo = i % 2**32
    hi = (i // 2**32) % 2**32
    return (lo ^ _imul(hi, 0x9E3779B1)) & M32


def _fmix32(h):
    h &= M32
    h ^= h >> 16
    h = _imul(h, 0x85EBCA6B)
    h ^= h >> 13
    h = _imul(h, 0xC2B2AE35)
    h ^= h >> 16
    return h & M32


def hash_seed(*parts):
    h = 0x6A09E667
    for p in parts:
        h = _fmix32(((h ^ _to_u32(p)) + 0x9E3779B9) & M32)
    return _fmix32(h ^ len(parts))


def _mulberry_values(seed, start, count):
    """Draws start+1 … start+count of Rng(seed) at once (mulberry32 is a counter: state_k = seed + k·C)."""
    k = np.arange(start + 1, start + count + 1, dtype=np.uint64)
    t = ((np.uint64(seed) + k * np.uint64(0x6D2B79F5)) & np.uint64(M32)).astype(np.uint32)
    t = (t ^ (t >> np.uint32(15))) * (t | np.uint32(1))
    t = t ^ (t + (t ^ (t >> np.uint32(7))) * (t | np.uint32(61)))
    return (t ^ (t >> np.uint32(14))).astype(np.float64) / 4294967296.0


class Rng:
    def __init__(self, seed):
        self.state = seed & M32

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & M32
        t = self.state
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0

    def uniform(self, lo, hi):
        return lo + (hi - lo) * self.next()

    def chance(self, p):
        return self.next() < p

    def normal(self):
        u = 1 - self.next()
        v = self.next()
        return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)

    def gamma(self, shape):
        if shape < 1:
            return self.gamma(shape + 1) * math.pow(1 - self.next(), 1 / shape)
        d = shape - 1 / 3
        c = 1 / math.sqrt(9 * d)
        while True:
            while True:
                x = self.normal()
                v = 1 + c * x
                if v > 0:
                    break
            v = v * v * v
            u = 1 - self.next()
            if math.log(u) < 0.5 * x * x + d - d * v + d * math.log(v):
                return d * v

    def beta(self, a, b):
        x = self.gamma(a)
        y = self.gamma(b)
        return x / (x + y) if x + y > 0 else 0.5

    def permutation(self, n):
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = int(math.floor(self.next() * (i + 1)))
            p[i], p[j] = p[j], p[i]
        return np.asarray(p, dtype=np.int64)


STREAM = {"hflip": 1, "vflip": 2, "scaleCrop": 3, "rotate": 4, "affine": 5, "color": 6, "erasing": 7, "eraseNoise": 8, "mixup": 9}


def rng_for(seed, epoch, image_id, stream):
    return Rng(hash_seed(seed, epoch, image_id, stream))


# ── settings (augment-config.ts) ─────────────────────────────────────────────────────────────────────────────

NONE = {
    "hflip": {"enabled": False, "p": 0.5},
    "vflip": {"enabled": False, "p": 0.5},
    "scaleCrop": {"enabled": False, "p": 1, "scale": [1, 1.15]},
    "erasing": {"enabled": False, "p": 0.25, "area": [0.02, 0.2], "aspect": [0.3, 3.3], "fill": "random"},
    "color": {"enabled": False, "p": 0.8, "brightness": 0.2, "contrast": 0.2, "saturation": 0.2, "hue": 0.02},
    "rotate": {"enabled": False, "p": 0.5, "degrees": 10},
    "affine": {"enabled": False, "p": 0.5, "translate": 0.1, "shear": 10, "stretch": 0.1},
    "fill": {"mode": "constant", "value": 0},
    "mixup": {"enabled": False, "p": 1, "alpha": 0.2},
}
PRESETS = {
    "none": NONE,
    "light": {
        **NONE,
        "hflip": {"enabled": True, "p": 0.5},
        "scaleCrop": {"enabled": True, "p": 0.5, "scale": [1, 1.1]},
        "color": {"enabled": True, "p": 0.5, "brightness": 0.1, "contrast": 0.1, "saturation": 0.1, "hue": 0},
    },
    "standard": {
        **NONE,
        "hflip": {"enabled": True, "p": 0.5},
        "scaleCrop": {"enabled": True, "p": 1, "scale": [1, 1.15]},
        "rotate": {"enabled": True, "p": 0.5, "degrees": 10},
        "color": {"enabled": True, "p": 0.8, "brightness": 0.2, "contrast": 0.2, "saturation": 0.2, "hue": 0.02},
        "erasing": {"enabled": True, "p": 0.25, "area": [0.02, 0.2], "aspect": [0.3, 3.3], "fill": "random"},
    },
    "strong": {
        **NONE,
        "hflip": {"enabled": True, "p": 0.5},
        "scaleCrop": {"enabled": True, "p": 1, "scale": [1, 1.3]},
        "rotate": {"enabled": True, "p": 0.7, "degrees": 15},
        "affine": {"enabled": True, "p": 0.5, "translate": 0.1, "shear": 10, "stretch": 0.1},
        "fill": {"mode": "reflect", "value": 0},
        "color": {"enabled": True, "p": 0.8, "brightness": 0.3, "contrast": 0.3, "saturation": 0.3, "hue": 0.05},
        "erasing": {"enabled": True, "p": 0.5, "area": [0.02, 0.33], "aspect": [0.3, 3.3], "fill": "random"},
        "mixup": {"enabled": True, "p": 1, "alpha": 0.2},
    },
}
TRANSFORMS = ["hflip", "vflip", "scaleCrop", "rotate", "affine", "color", "erasing", "mixup"]


def resolve(config):
    config = config or {}
    base = PRESETS[config.get("preset", "none")]
    return {k: {**base[k], **(config.get(k) or {})} for k in base}


def active(r, name):
    return bool(r[name]["enabled"]) and r[name]["p"] > 0


def is_identity(r):
    return not any(active(r, n) for n in TRANSFORMS)


# ── parameters (params.ts) ───────────────────────────────────────────────────────────────────────────────────


def draw_params(r, seed, epoch, image_id, training=True):
    p = {"hflip": False, "vflip": False, "scale": 1, "cropX": 0.5, "cropY": 0.5, "rotate": 0, "translateX": 0, "translateY": 0, "shear": 0,
         "stretchX": 1, "stretchY": 1, "brightness": 1, "contrast": 1, "saturation": 1, "hue": 0, "erase": None, "fill": dict(r["fill"])}
    hf = rng_for(seed, epoch, image_id, STREAM["hflip"])
    if active(r, "hflip") and hf.chance(r["hflip"]["p"]):
        p["hflip"] = True
    vf = rng_for(seed, epoch, image_id, STREAM["vflip"])
    if active(r, "vflip") and vf.chance(r["vflip"]["p"]):
        p["vflip"] = True
    sc = rng_for(seed, epoch, image_id, STREAM["scaleCrop"])
    if active(r, "scaleCrop") and sc.chance(r["scaleCrop"]["p"]):
        p["scale"] = sc.uniform(*r["scaleCrop"]["scale"])
        p["cropX"] = sc.next()
        p["cropY"] = sc.next()
    ro = rng_for(seed, epoch, image_id, STREAM["rotate"])
    if active(r, "rotate") and ro.chance(r["rotate"]["p"]):
        p["rotate"] = ro.uniform(-r["rotate"]["degrees"], r["rotate"]["degrees"])
    af = rng_for(seed, epoch, image_id, STREAM["affine"])
    if active(r, "affine") and af.chance(r["affine"]["p"]):
        a = r["affine"]
        p["translateX"] = af.uniform(-a["translate"], a["translate"])
        p["translateY"] = af.uniform(-a["translate"], a["translate"])
        p["shear"] = af.uniform(-a["shear"], a["shear"])
        p["stretchX"] = af.uniform(1 - a["stretch"], 1 + a["stretch"])
        p["stretchY"] = af.uniform(1 - a["stretch"], 1 + a["stretch"])
    co = rng_for(seed, epoch, image_id, STREAM["color"])
    if active(r, "color") and co.chance(r["color"]["p"]):
        c = r["color"]
        p["brightness"] = co.uniform(1 - c["brightness"], 1 + c["brightness"])
        p["contrast"] = co.uniform(1 - c["contrast"], 1 + c["contrast"])
        p["saturation"] = co.uniform(1 - c["saturation"], 1 + c["saturation"])
        p["hue"] = co.uniform(-c["hue"], c["hue"])
    er = rng_for(seed, epoch, image_id, STREAM["erasing"])
    if training and active(r, "erasing") and er.chance(r["erasing"]["p"]):
        e = r["erasing"]
        area = er.uniform(e["area"][0], e["area"][1])
        aspect = math.exp(er.uniform(math.log(e["aspect"][0]), math.log(e["aspect"][1])))
        w = min(1, math.sqrt(area * aspect))
        h = min(1, math.sqrt(area / aspect))
        p["erase"] = {"cx": w / 2 + er.next() * (1 - w), "cy": h / 2 + er.next() * (1 - h), "w": w, "h": h, "fill": e["fill"],
                      "noiseSeed": int(math.floor(er.next() * 4294967296)) & M32}
    return p


def draw_mixup(r, seed, epoch, image_ids):
    if not active(r, "mixup") or len(image_ids) < 2:
        return None
    rng = rng_for(seed, epoch, int(image_ids[0]) * 31 + len(image_ids), STREAM["mixup"])
    if not rng.chance(r["mixup"]["p"]):
        return None
    lam = rng.beta(r["mixup"]["alpha"], r["mixup"]["alpha"])
    return lam, rng.permutation(len(image_ids))


# ── the maths (geometry.ts, cpu-kernel.ts) ──────────────────────────────────────────────────────────────────


def has_geometry(p):
    return p["hflip"] or p["vflip"] or p["scale"] != 1 or p["rotate"] != 0 or p["translateX"] != 0 or p["translateY"] != 0 or p["shear"] != 0 or p["stretchX"] != 1 or p["stretchY"] != 1


def has_color(p):
    return p["brightness"] != 1 or p["contrast"] != 1 or p["saturation"] != 1 or p["hue"] != 0


def _mul2(p, q):
    return [p[0] * q[0] + p[1] * q[2], p[0] * q[1] + p[1] * q[3], p[2] * q[0] + p[3] * q[2], p[2] * q[1] + p[3] * q[3]]


def inverse_affine(p, size):
    c = (size - 1) / 2
    th = p["rotate"] * math.pi / 180
    cos, sin = math.cos(th), math.sin(th)
    R = [cos, sin, -sin, cos]
    Sh = [1, math.tan(p["shear"] * math.pi / 180), 0, 1]
    St = [p["stretchX"], 0, 0, p["stretchY"]]
    Fm = [-1 if p["hflip"] else 1, 0, 0, -1 if p["vflip"] else 1]
    B = _mul2(R, _mul2(Sh, _mul2(St, Fm)))
    det = B[0] * B[3] - B[1] * B[2]
    Bi = [B[3] / det, -B[1] / det, -B[2] / det, B[0] / det]
    s = p["scale"]
    tx, ty = p["translateX"] * size, p["translateY"] * size
    dx = (p["cropX"] - 0.5) * (s - 1) * size
    dy = (p["cropY"] - 0.5) * (s - 1) * size
    vx = (-c + dx) / s - tx
    vy = (-c + dy) / s - ty
    return [Bi[0] / s, Bi[1] / s, Bi[0] * vx + Bi[1] * vy + c, Bi[2] / s, Bi[3] / s, Bi[2] * vx + Bi[3] * vy + c]


YIQ = [0.299, 0.587, 0.114, 0.595716, -0.274453, -0.321263, 0.211456, -0.522591, 0.311135]


def _mul3(a, b):
    o = [0.0] * 9
    for i in range(3):
        for j in range(3):
            for k in range(3):
                o[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j]
    return o


def _inv3(m):
    a, b, c, d, e, f, g, h, i = m
    A = e * i - f * h
    B = -(d * i - f * g)
    C = d * h - e * g
    det = a * A + b * B + c * C
    return [v / det for v in [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d]]


YIQ_INV = _inv3(YIQ)


def color_transform(p, channels):
    a = p["brightness"] * p["contrast"]
    offset = 0.5 * (1 - p["contrast"])
    if channels == 1:
        return [a], offset
    th = 2 * math.pi * p["hue"]
    s = p["saturation"]
    D = [1, 0, 0, 0, s * math.cos(th), -s * math.sin(th), 0, s * math.sin(th), s * math.cos(th)]
    M = _mul3(YIQ_INV, _mul3(D, YIQ))
    return [v * a for v in M], offset


def _js_round(v):
    return math.floor(v + 0.5)


def _reflect(v, n):
    """tf.image.transform's reflect, vectorised (cpu-kernel.ts)."""
    if n <= 1:
        return np.zeros_like(v)
    sz2 = 2 * n
    v = v.copy()
    neg = v < 0
    vn = v[neg]
    vn = np.where(vn < sz2, sz2 * np.trunc(-vn / sz2) + vn, vn)
    vn = np.where(vn < -n, vn + sz2, -vn - 1)
    v[neg] = vn
    big = (~neg) & (v > n - 1)
    vb = v[big]
    vb = vb - sz2 * np.trunc(vb / sz2)
    vb = np.where(vb >= n, sz2 - vb - 1, vb)
    v[big] = vb
    return np.clip(v, 0, n - 1)


def _color(img, channels, p):
    K, offset = color_transform(p, channels)
    x = img.astype(np.float64)
    if channels == 1:
        return np.clip(K[0] * x + offset, 0, 1).astype(np.float32)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    out = np.empty_like(x)
    for ch in range(3):
        out[..., ch] = np.minimum(1, np.maximum(0, K[ch * 3] * r + K[ch * 3 + 1] * g + K[ch * 3 + 2] * b + offset))
    return out.astype(np.float32)


def _geometry(src, size, p, fill_value):
    a0, a1, a2, b0, b1, b2 = inverse_affine(p, size)
    Y, X = np.meshgrid(np.arange(size, dtype=np.float64), np.arange(size, dtype=np.float64), indexing="ij")
    x = a0 * X + a1 * Y + a2
    y = b0 * X + b1 * Y + b2
    last = size - 1
    mode = p["fill"]["mode"]
    if mode == "nearest":
        x, y = np.clip(x, 0, last), np.clip(y, 0, last)
    elif mode == "reflect":
        x, y = _reflect(x, size), _reflect(y, size)
    x0 = np.floor(x)
    y0 = np.floor(y)
    fx = (x - x0)[..., None]
    fy = (y - y0)[..., None]
    x0 = x0.astype(np.int64)
    y0 = y0.astype(np.int64)
    s = src.astype(np.float64)

    def read(yy, xx):
        inside = (yy >= 0) & (yy < size) & (xx >= 0) & (xx < size)
        v = s[np.clip(yy, 0, last), np.clip(xx, 0, last)]
        return np.where(inside[..., None], v, fill_value)

    top = (1 - fx) * read(y0, x0) + fx * read(y0, x0 + 1)
    bot = (1 - fx) * read(y0 + 1, x0) + fx * read(y0 + 1, x0 + 1)
    out = (1 - fy) * top + fy * bot
    far = (x0 < -1) | (y0 < -1) | (x0 > last) | (y0 > last)
    out = np.where(far[..., None], fill_value, out)
    return out.astype(np.float32)


def erase_region(p, size, channels, mean, grey):
    e = p["erase"]
    if not e:
        return None
    w = max(1, min(size, _js_round(e["w"] * size)))
    h = max(1, min(size, _js_round(e["h"] * size)))
    x0 = max(0, min(size - w, _js_round(e["cx"] * size - w / 2)))
    y0 = max(0, min(size - h, _js_round(e["cy"] * size - h / 2)))
    count = w * h * channels
    if e["fill"] == "random":
        if grey and channels == 3:
            v = np.floor(_mulberry_values(e["noiseSeed"], 0, w * h) * 256)
            values = np.repeat(v, 3)
        else:
            values = np.floor(_mulberry_values(e["noiseSeed"], 0, count) * 256)
    else:
        m = [mean[0] if len(mean) == 1 else 0.299 * mean[0] + 0.587 * mean[1] + 0.114 * mean[2]] if channels == 1 else list(mean)
        values = np.asarray([_js_round(min(1, max(0, m[i % channels])) * 255) for i in range(count)], dtype=np.float64)
    return x0, y0, w, h, values.reshape(h, w, channels)


def augment_image(img, p, channels, mean):
    """One float32 [size, size, C] image in [0, 1] → augmented (colour, geometry, erasing), as the lab's CPU kernel."""
    size = img.shape[0]
    cur = _color(img, channels, p) if has_color(p) else img
    out = _geometry(cur, size, p, _js_round(p["fill"]["value"] * 255) / 255) if has_geometry(p) else cur.copy()
    if p["erase"]:
        grey = channels == 1 or bool(np.all(out[..., 0] == out[..., 1]) and np.all(out[..., 0] == out[..., 2]))
        er = erase_region(p, size, channels, mean, grey)
        if er:
            x0, y0, w, h, values = er
            out[y0 : y0 + h, x0 : x0 + w, :] = (values / 255).astype(np.float32)
    return out


class Augmenter:
    def __init__(self, config, seed, mean):
        self.r = resolve(config)
        self.seed = seed
        self.mean = list(mean)

    def batch(self, x_u8, rows, ids, y, s, e, epoch):
        """
        rows/ids: the global batch's rows and image ids; y: its one-hot labels; [s, e): this rank's share.
        Returns (this rank's augmented images as float32 NHWC in [0, 1], their labels, the global batch's labels).
        """
        mix = draw_mixup(self.r, self.seed, epoch, ids)
        need = list(range(s, e))
        if mix is not None:
            need = sorted(set(need) | {int(mix[1][i]) for i in range(s, e)})
        channels = x_u8.shape[3]
        done = {}
        for i in need:
            img = (x_u8[int(rows[i])].astype(np.float64) / 255).astype(np.float32)
            p = draw_params(self.r, self.seed, epoch, int(ids[i]))
            done[i] = augment_image(img, p, channels, self.mean)
        local = np.stack([done[i] for i in range(s, e)]) if e > s else np.zeros((0, *x_u8.shape[1:]), np.float32)
        if mix is None:
            return torch.from_numpy(local), y[s:e], y
        lam, partner = mix
        l32, m32 = np.float32(lam), np.float32(1 - lam)
        if e > s:
            other = np.stack([done[int(partner[i])] for i in range(s, e)])
            local = local * l32 + other * m32
        y_all = y * float(l32) + y[torch.from_numpy(partner)] * float(m32)
        return torch.from_numpy(local.astype(np.float32)), y_all[s:e], y_all


def channel_mean(x_u8):
    """The training split's mean colour in [0, 1] per channel (augment/dataset-mean.ts), read a chunk at a time."""
    n, c = x_u8.shape[0], x_u8.shape[3]
    if n == 0:
        return [0.5] * c
    sums = np.zeros(c, dtype=np.float64)
    for i in range(0, n, 4096):
        sums += x_u8[i : i + 4096].reshape(-1, c).sum(axis=0, dtype=np.float64)
    return [float(v) / (n * x_u8.shape[1] * x_u8.shape[2]) / 255 for v in sums]


def make_augmenter(job, world):
    """The job's augmenter, or None when nothing would ever change an image."""
    r = resolve(job.config.get("augmentation"))
    if is_identity(r):
        return None
    mean = job.mean if job.mean else channel_mean(job.train.x)
    return Augmenter(job.config.get("augmentation"), job.seed, mean)
