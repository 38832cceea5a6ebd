"""
Torch modules with tfjs-layers semantics. Tensors of rank 4 flow in NCHW (torch's layout); whatever depends on the
layout (flatten order, dropout masks, reshape, concatenation axis) is computed as tfjs would in NHWC.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .errors import JobError
from .seeded import dropout_mask


def activation_fn(name, layer):
    name = (name or "linear").lower()
    table = {
        "linear": lambda x: x,
        "relu": F.relu,
        "relu6": lambda x: torch.clamp(x, 0.0, 6.0),
        "elu": F.elu,
        "selu": F.selu,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "softplus": F.softplus,
        "softsign": F.softsign,
        "swish": F.silu,
        "hard_sigmoid": lambda x: torch.clamp(0.2 * x + 0.5, 0.0, 1.0),
        "hardsigmoid": lambda x: torch.clamp(0.2 * x + 0.5, 0.0, 1.0),
        "softmax": lambda x: F.softmax(x, dim=1),
    }
    if name not in table:
        raise JobError("torchJob.unknownActivation", f'layer "{layer}" uses the activation "{name}", which the torch engine cannot express', layer=layer, activation=name)
    return table[name]


def pair(v):
    if isinstance(v, (list, tuple)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


def same_padding(size, k, s, d):
    """TF 'same': out = ceil(in/s); the extra row/column goes at the bottom/right."""
    k_eff = (k - 1) * d + 1
    out = -(-size // s)
    total = max((out - 1) * s + k_eff - size, 0)
    return total // 2, total - total // 2


def pad_same(x, k, s, d, value=0.0):
    """Pads x (NCHW) as TF's 'same'; returns (x, symmetric padding left for the op)."""
    top, bottom = same_padding(x.shape[2], k[0], s[0], d[0])
    left, right = same_padding(x.shape[3], k[1], s[1], d[1])
    if top == bottom and left == right:
        return x, (top, left)
    return F.pad(x, (left, right, top, bottom), value=value), (0, 0)


class Conv(nn.Module):
    """Conv2D and DepthwiseConv2D (groups = in channels, depth multiplier)."""

    def __init__(self, name, cfg, in_ch, depthwise):
        super().__init__()
        if cfg.get("data_format", "channels_last") != "channels_last":
            raise JobError("torchJob.layerOption", f'layer "{name}": only channels_last convolutions are supported', layer=name)
        self.k = pair(cfg["kernel_size"])
        self.s = pair(cfg.get("strides", 1))
        self.d = pair(cfg.get("dilation_rate", 1))
        self.padding = cfg.get("padding", "valid")
        self.depthwise = depthwise
        if depthwise:
            mult = int(cfg.get("depth_multiplier", 1))
            out_ch, self.groups = in_ch * mult, in_ch
            self.weight = nn.Parameter(torch.zeros(out_ch, 1, *self.k))
        else:
            groups = int(cfg.get("groups", 1) or 1)
            out_ch, self.groups = int(cfg["filters"]), groups
            self.weight = nn.Parameter(torch.zeros(out_ch, in_ch // groups, *self.k))
        self.bias = nn.Parameter(torch.zeros(out_ch)) if cfg.get("use_bias", True) else None
        self.act = activation_fn(cfg.get("activation"), name)
        self.out_ch = out_ch

    def forward(self, x):
        pad = (0, 0)
        if self.padding == "same":
            x, pad = pad_same(x, self.k, self.s, self.d)
        return self.act(F.conv2d(x, self.weight, self.bias, self.s, pad, self.d, self.groups))


class Dense(nn.Module):
    def __init__(self, name, cfg, in_features):
        super().__init__()
        units = int(cfg["units"])
        self.weight = nn.Parameter(torch.zeros(units, in_features))
        self.bias = nn.Parameter(torch.zeros(units)) if cfg.get("use_bias", True) else None
        self.act = activation_fn(cfg.get("activation"), name)

    def forward(self, x):
        if x.dim() == 4:  # Dense on a feature map acts on the channel (last tfjs) axis
            y = F.linear(x.permute(0, 2, 3, 1), self.weight, self.bias).permute(0, 3, 1, 2)
            return self.act(y)
        return self.act(F.linear(x, self.weight, self.bias))


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


class BatchNorm(nn.Module):
    """
    The lab's SeedBatchNorm (running variance updated with the unbiased m/(m−1)·σ²_B; a frozen layer always uses its
    running statistics) or tfjs's BatchNormalization (biased running variance; training mode whatever `trainable`).
    α (`momentum`) weighs the old running statistic: tfjs 0.99 == torch 0.01. In a multi-process run the batch
    statistics are those of the whole global batch (summed over ranks), so every rank normalises as one process would.
    """

    def __init__(self, name, cfg, channels, seed_variant, trainable):
        super().__init__()
        axis = cfg.get("axis", -1)
        if isinstance(axis, list):
            axis = axis[0] if len(axis) == 1 else None
        if axis not in (-1, 3, 1):
            raise JobError("torchJob.layerOption", f'layer "{name}": batch normalization must act on the channel axis', layer=name)
        self.momentum = float(cfg.get("momentum", 0.9 if seed_variant else 0.99))
        self.eps = float(cfg.get("epsilon", 1e-5 if seed_variant else 1e-3))
        self.seed_variant = seed_variant
        self.frozen = not trainable
        self.weight = nn.Parameter(torch.ones(channels)) if cfg.get("scale", True) is not False else None
        self.bias = nn.Parameter(torch.zeros(channels)) if cfg.get("center", True) is not False else None
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))
        self.group = None  # set by the trainer when ranks share batch statistics
        self.global_rows = 0  # images in the global batch (set before every training forward)

    def _shape(self, x, v):
        return v.view(1, -1, 1, 1) if x.dim() == 4 else v

    def forward(self, x):
        use_batch = self.training and (not self.frozen or not self.seed_variant)
        if not use_batch:
            y = (x - self._shape(x, self.running_mean)) * torch.rsqrt(self._shape(x, self.running_var) + self.eps)
        else:
            y = self._train(x)
        if self.weight is not None:
            y = y * self._shape(x, self.weight)
        if self.bias is not None:
            y = y + self._shape(x, self.bias)
        return y

    def _train(self, x):
        dims = [0, 2, 3] if x.dim() == 4 else [0]
        per = x.numel() // max(1, x.shape[1])
        if self.group is None and self.seed_variant and per > 1:
            # One process: torch's fused kernel has exactly these semantics (biased σ²_B to normalise, unbiased
            # m/(m−1)·σ²_B into the running variance, torch momentum = 1 − α); γ and β are applied by forward().
            return F.batch_norm(x, self.running_mean, self.running_var, None, None, True, 1 - self.momentum, self.eps)
        if self.group is None:
            m = per
            mean = x.mean(dim=dims)
            var = ((x - self._shape(x, mean)) ** 2).mean(dim=dims)
        else:
            # values per channel over the whole global batch (every rank knows its size: no extra all-reduce)
            m = self.global_rows * (x.shape[2] * x.shape[3] if x.dim() == 4 else 1)
            y, mean, var = GlobalBatchNorm.apply(x, self.group, m, self.eps)
            self._update_running(mean, var, m)
            return y
        self._update_running(mean, var, m)
        return (x - self._shape(x, mean)) * torch.rsqrt(self._shape(x, var) + self.eps)

    @torch.no_grad()
    def _update_running(self, mean, var, m):
        a = self.momentum
        unbiased = m / (m - 1) if (self.seed_variant and m > 1) else 1.0
        self.running_mean.mul_(a).add_(mean.detach().to(self.running_mean.dtype) * (1 - a))
        self.running_var.mul_(a).add_(var.detach().to(self.running_var.dtype) * ((1 - a) * unbiased))


class GlobalBatchNorm(torch.autograd.Function):
    """
    x̂ = (x − μ)/√(σ² + ε) with μ, σ² over the global batch (all ranks): one all-reduce forward (Σx, Σx² in float64),
    one backward (Σdy, Σdy·x̂): dx = (dy − mean(dy) − x̂·mean(dy·x̂))/√(σ² + ε), as SyncBatchNorm does on GPUs.
    """

    @staticmethod
    def forward(ctx, x, group, m, eps):
        dims = [0, 2, 3] if x.dim() == 4 else [0]
        shape = (1, -1, 1, 1) if x.dim() == 4 else (1, -1)
        stats = torch.cat([x.sum(dim=dims, dtype=torch.float64), (x * x).sum(dim=dims, dtype=torch.float64)])
        torch.distributed.all_reduce(stats, group=group)
        c = x.shape[1]
        mean = stats[:c] / m
        var = torch.clamp(stats[c:] / m - mean * mean, min=0.0)
        invstd = torch.rsqrt(var + eps).to(x.dtype)
        xhat = (x - mean.to(x.dtype).view(shape)) * invstd.view(shape)
        ctx.save_for_backward(xhat, invstd)
        ctx.group, ctx.m, ctx.dims, ctx.shape = group, m, dims, shape
        ctx.mark_non_differentiable(mean, var)
        return xhat, mean, var

    @staticmethod
    def backward(ctx, dy, _dmean, _dvar):
        xhat, invstd = ctx.saved_tensors
        c = xhat.shape[1]
        sums = torch.cat([dy.sum(dim=ctx.dims, dtype=torch.float64), (dy * xhat).sum(dim=ctx.dims, dtype=torch.float64)])
        torch.distributed.all_reduce(sums, group=ctx.group)
        mean_dy = (sums[:c] / ctx.m).to(dy.dtype).view(ctx.shape)
        mean_dy_xhat = (sums[c:] / ctx.m).to(dy.dtype).view(ctx.shape)
        dx = (dy - mean_dy - xhat * mean_dy_xhat) * invstd.view(ctx.shape)
        return dx, None, None, None


class Dropout(nn.Module):
    """
    Inverted dropout with the lab's own masks: the mask of the whole global batch is a function of the layer's seed
    for (run seed, epoch, batch), and a rank multiplies its rows of it, so 1 and N processes drop the same units.
    """

    def __init__(self, name, cfg):
        super().__init__()
        self.rate = float(cfg.get("rate", 0))
        self.noise_shape = cfg.get("noise_shape")
        self.seed = None  # set before every training forward
        self.row0 = 0  # first global row of this rank's shard

    def forward(self, x):
        if not self.training or not (0 < self.rate < 1):
            return x
        n = x.shape[0]
        if self.seed is None or self.noise_shape is not None:
            return F.dropout(x, self.rate, True)
        if x.dim() == 4:
            feat = x.shape[1] * x.shape[2] * x.shape[3]
            m = dropout_mask(self.row0 * feat, n * feat, self.rate, self.seed).reshape(n, x.shape[2], x.shape[3], x.shape[1])
            mask = torch.from_numpy(m).permute(0, 3, 1, 2)
        else:
            feat = int(np.prod(x.shape[1:]))
            mask = torch.from_numpy(dropout_mask(self.row0 * feat, n * feat, self.rate, self.seed).reshape(x.shape))
        return x * mask.to(x.device)


def to_nhwc(x):
    return x.permute(0, 2, 3, 1) if x.dim() == 4 else x


def from_nhwc(x):
    return x.permute(0, 3, 1, 2) if x.dim() == 4 else x


def tf_axis(axis, rank):
    """A tfjs axis (NHWC) as the torch (NCHW) axis of a rank-`rank` tensor."""
    a = axis % rank
    if rank == 4:
        return {0: 0, 1: 2, 2: 3, 3: 1}[a]
    return a


def pool(name, cfg, kind):
    k = pair(cfg.get("pool_size", 2))
    s = pair(cfg.get("strides") or k)
    padding = cfg.get("padding", "valid")
    if cfg.get("data_format", "channels_last") != "channels_last":
        raise JobError("torchJob.layerOption", f'layer "{name}": only channels_last pooling is supported', layer=name)

    def fwd(x):
        if kind == "max":
            if padding == "same":
                x, p = pad_same(x, k, s, (1, 1), value=-math.inf)
                return F.max_pool2d(x, k, s, p)
            return F.max_pool2d(x, k, s)
        if padding == "same":
            # TF averages over the window's valid pixels only
            ones = torch.ones_like(x[:1, :1])
            xp, p = pad_same(x, k, s, (1, 1))
            op, _ = pad_same(ones, k, s, (1, 1))
            return F.avg_pool2d(xp, k, s, p, count_include_pad=True) / F.avg_pool2d(op, k, s, p, count_include_pad=True)
        return F.avg_pool2d(x, k, s)

    return Lambda(fwd)
