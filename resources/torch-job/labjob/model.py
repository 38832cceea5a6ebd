"""
The lab's tfjs layers model (model.json + weight shards) as a torch module, and the trained weights written back in
the same format, names, order and dtype. Layer semantics follow tfjs: NHWC flatten order, TF 'same' padding, the
lab's batch norm, ReLU6, depthwise convolutions, frozen layers, Dropout rate as the drop probability.
"""
import hashlib
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import layers as L
from .errors import JobError
from .topology import flatten

LOGITS_LAYER = "logits"
UNSUPPORTED_HINT = "Use a model the lab builds (mlp, cnn, resnet, transfer), or train this one with the lab's own engine."


def _build(node, x, xs):
    """(module, weight slots [(slot, attr, kind)]) for one leaf layer, given its input tensor(s) (dummy batch)."""
    cls, cfg, name = node.cls, node.config, node.name
    if cls == "Conv2D":
        m = L.Conv(name, cfg, x.shape[1], depthwise=False)
        return m, [("kernel", "weight", "conv")] + ([("bias", "bias", "vec")] if m.bias is not None else [])
    if cls == "DepthwiseConv2D":
        m = L.Conv(name, cfg, x.shape[1], depthwise=True)
        return m, [("depthwise_kernel", "weight", "depthwise")] + ([("bias", "bias", "vec")] if m.bias is not None else [])
    if cls == "Dense":
        feat = x.shape[1] if x.dim() == 2 else x.shape[1]
        m = L.Dense(name, cfg, feat)
        return m, [("kernel", "weight", "dense")] + ([("bias", "bias", "vec")] if m.bias is not None else [])
    if cls in ("SeedBatchNorm", "BatchNormalization"):
        m = L.BatchNorm(name, cfg, x.shape[1], cls == "SeedBatchNorm", node.trainable)
        slots = []
        if m.weight is not None:
            slots.append(("gamma", "weight", "vec"))
        if m.bias is not None:
            slots.append(("beta", "bias", "vec"))
        return m, slots + [("moving_mean", "running_mean", "vec"), ("moving_variance", "running_var", "vec")]
    if cls == "Activation":
        return L.Lambda(L.activation_fn(cfg.get("activation"), name)), []
    if cls == "ReLU":
        max_value = cfg.get("max_value")
        slope = float(cfg.get("negative_slope", 0) or 0)
        threshold = float(cfg.get("threshold", 0) or 0)
        if slope != 0 or threshold != 0:
            raise JobError("torchJob.layerOption", f'layer "{name}": ReLU with a negative slope or threshold is not supported', layer=name)
        if max_value is None:
            return L.Lambda(F.relu), []
        mv = float(max_value)
        return L.Lambda(lambda t: torch.clamp(t, 0.0, mv)), []
    if cls == "Softmax":
        axis = int(cfg.get("axis", -1))
        return L.Lambda(lambda t: F.softmax(t, dim=L.tf_axis(axis, t.dim()))), []
    if cls == "LeakyReLU":
        alpha = float(cfg.get("alpha", 0.3))
        return L.Lambda(lambda t: F.leaky_relu(t, alpha)), []
    if cls == "Dropout":
        return L.Dropout(name, cfg), []
    if cls == "Flatten":
        return L.Lambda(lambda t: L.to_nhwc(t).reshape(t.shape[0], int(np.prod(t.shape[1:])))), []
    if cls == "Reshape":
        target = [int(v) for v in cfg["target_shape"]]
        return L.Lambda(lambda t: L.from_nhwc(L.to_nhwc(t).reshape(t.shape[0], *target))), []
    if cls == "MaxPooling2D":
        return L.pool(name, cfg, "max"), []
    if cls == "AveragePooling2D":
        return L.pool(name, cfg, "avg"), []
    if cls == "GlobalAveragePooling2D":
        keep = bool(cfg.get("keepdims", False))
        return L.Lambda(lambda t: t.mean(dim=(2, 3), keepdim=keep)), []
    if cls == "GlobalMaxPooling2D":
        keep = bool(cfg.get("keepdims", False))
        return L.Lambda(lambda t: t.amax(dim=(2, 3), keepdim=keep)), []
    if cls == "ZeroPadding2D":
        p = cfg.get("padding", 1)
        if isinstance(p, (int, float)):
            (t, b), (l, r) = (int(p), int(p)), (int(p), int(p))
        else:
            (t, b), (l, r) = L.pair(p[0]), L.pair(p[1])
        return L.Lambda(lambda v: F.pad(v, (l, r, t, b))), []
    if cls == "Add":
        return L.Lambda(lambda *ts: _fold(ts, torch.add)), []
    if cls == "Multiply":
        return L.Lambda(lambda *ts: _fold(ts, torch.mul)), []
    if cls == "Average":
        return L.Lambda(lambda *ts: _fold(ts, torch.add) / len(ts)), []
    if cls == "Concatenate":
        axis = int(cfg.get("axis", -1))
        return L.Lambda(lambda *ts: torch.cat(ts, dim=L.tf_axis(axis, ts[0].dim()))), []
    raise JobError(
        "torchJob.unknownLayer",
        f'The torch engine cannot express the layer "{name}" of class {cls}. {UNSUPPORTED_HINT}',
        layer=name,
        className=cls,
    )


def _fold(ts, op):
    out = ts[0]
    for t in ts[1:]:
        out = op(out, t)
    return out


class LabModel(nn.Module):
    """The interpreted graph. forward takes float32 NHWC images (already normalised) like the tfjs model."""

    def __init__(self, topology, input_shape):
        super().__init__()
        in_name, declared, nodes, output = flatten(topology)
        shape = list(input_shape or declared)
        if len(shape) != 3 or any(v is None for v in shape):
            raise JobError("torchJob.badModel", f"model-init/model.json: the input must be an image (H, W, C); it is {declared}")
        if len(declared) != 3 or any(d is not None and d != v for d, v in zip(declared, shape)):
            raise JobError(
                "torchJob.inputShape",
                f"The model expects images of {declared} but the job's data are {shape}: write the job again from the lab.",
                model=declared,
                data=shape,
            )
        shape = [int(v) for v in shape]
        self.input_name = in_name
        self.output_name = output
        self.nodes = [n for n in nodes if n.cls != "InputLayer"]
        self.mods = nn.ModuleDict()
        self.slots = []  # (manifest name candidates, module key, attr, kind, trainable)
        self.dropouts = []
        names = {n.name for n in nodes}
        self.logits_name = LOGITS_LAYER if LOGITS_LAYER in names else None
        x = torch.zeros(1, shape[2], shape[0], shape[1])
        values = {in_name: x}
        with torch.no_grad():
            for i, node in enumerate(self.nodes):
                ins = [values[s] for s in node.inputs]
                mod, slots = _build(node, ins[0], ins)
                key = f"l{i}"
                self.mods[key] = mod
                mod.eval()
                values[node.name] = mod(*ins)
                for slot, attr, kind in slots:
                    self.slots.append((node.name, slot, key, attr, kind))
                if isinstance(mod, L.Dropout):
                    self.dropouts.append(mod)
                for p in mod.parameters(recurse=False):
                    p.requires_grad_(node.trainable)
        self.keys = [f"l{i}" for i in range(len(self.nodes))]
        self.batch_norms = [m for m in self.mods.values() if isinstance(m, L.BatchNorm)]

    def forward(self, x, until=None):
        """x: float32 NHWC. `until`: the name of the layer whose output to return (default: the model's output)."""
        values = {self.input_name: x.permute(0, 3, 1, 2)}
        stop = until or self.output_name
        for key, node in zip(self.keys, self.nodes):
            values[node.name] = self.mods[key](*[values[s] for s in node.inputs])
            if node.name == stop:
                break
        return L.to_nhwc(values[stop])

    def train_forward(self, x):
        """The output training minimises: the logits when the model has a 'logits' layer, else the probabilities."""
        return self.forward(x, self.logits_name)

    def tensor_of(self, key, attr):
        return getattr(self.mods[key], attr)

    def decays(self, slot):
        """Kernels take weight decay; biases and batch-norm γ/β do not (as the lab's TrainStep)."""
        return slot.endswith("kernel")


# ── tfjs weights ────────────────────────────────────────────────────────────────────────────────────────────────


def to_torch_layout(a, kind):
    if kind == "conv":
        return a.transpose(3, 2, 0, 1)
    if kind == "depthwise":
        kh, kw, c, m = a.shape
        return a.transpose(2, 3, 0, 1).reshape(c * m, 1, kh, kw)
    if kind == "dense":
        return a.T
    return a


def to_tfjs_layout(t, kind, shape):
    a = t.detach().cpu().numpy().astype(np.float32)
    if kind == "conv":
        return a.transpose(2, 3, 1, 0)
    if kind == "depthwise":
        kh, kw, c, m = shape
        return a.reshape(c, m, kh, kw).transpose(2, 3, 0, 1)
    if kind == "dense":
        return a.T
    return a


def read_artifacts(model_dir):
    """(model.json dict, manifest entries [{name, shape, dtype}], {name: float32 array})."""
    path = os.path.join(model_dir, "model.json")
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except FileNotFoundError:
        raise JobError("torchJob.missingFile", f"The job has no {path}: write the job again from the lab.", file=path)
    except ValueError as err:
        raise JobError("torchJob.badModel", f"{path} is not valid JSON ({err}).", file=path)
    entries, blobs = [], []
    for group in doc.get("weightsManifest") or []:
        for p in group.get("paths") or []:
            fp = os.path.join(model_dir, p)
            if not os.path.exists(fp):
                raise JobError("torchJob.missingFile", f"The weights file {fp} is missing: write the job again from the lab.", file=fp)
            with open(fp, "rb") as f:
                blobs.append(f.read())
        entries.extend(group.get("weights") or [])
    data = b"".join(blobs)
    values, off = {}, 0
    for e in entries:
        if e.get("dtype", "float32") != "float32" or e.get("quantization"):
            raise JobError("torchJob.badModel", f'weight "{e["name"]}" is not plain float32; the torch engine trains float32 models only.', weight=e["name"])
        n = int(np.prod(e["shape"])) if e["shape"] else 1
        if off + 4 * n > len(data):
            raise JobError("torchJob.badModel", f"{path}: the weights files are shorter than the manifest says.", file=path)
        values[e["name"]] = np.frombuffer(data, dtype="<f4", count=n, offset=off).reshape(e["shape"]).copy()
        off += 4 * n
    return doc, entries, values


def _match(entries, layer, slot):
    exact = f"{layer}/{slot}"
    names = [e["name"] for e in entries]
    if exact in names:
        return exact
    tail = [n for n in names if n.endswith("/" + exact)]
    return tail[0] if len(tail) == 1 else None


class WeightMap:
    """Which torch tensor holds each manifest entry, so weights go in and come out by name, in manifest order."""

    def __init__(self, model, entries):
        self.model = model
        self.entries = entries
        self.by_name = {}
        for layer, slot, key, attr, kind in model.slots:
            name = _match(entries, layer, slot)
            if name is None:
                raise JobError("torchJob.badModel", f'model-init/model.json has no weight "{layer}/{slot}".', weight=f"{layer}/{slot}")
            self.by_name[name] = (key, attr, kind, slot)
        unused = [e["name"] for e in entries if e["name"] not in self.by_name]
        if unused:
            raise JobError("torchJob.badModel", f"model-init/model.json holds weights no layer uses: {', '.join(unused[:5])}.", weights=unused[:5])

    def load(self, values):
        with torch.no_grad():
            for e in self.entries:
                key, attr, kind, _ = self.by_name[e["name"]]
                t = self.model.tensor_of(key, attr)
                a = to_torch_layout(values[e["name"]], kind)
                if tuple(a.shape) != tuple(t.shape):
                    raise JobError("torchJob.badModel", f'weight "{e["name"]}" has shape {list(values[e["name"]].shape)}, which does not fit its layer.', weight=e["name"])
                t.copy_(torch.from_numpy(np.ascontiguousarray(a)))

    def arrays(self):
        """Current weights as float32 tfjs arrays, in manifest order."""
        out = []
        for e in self.entries:
            key, attr, kind, _ = self.by_name[e["name"]]
            out.append(np.ascontiguousarray(to_tfjs_layout(self.model.tensor_of(key, attr), kind, e["shape"]), dtype="<f4"))
        return out

    def sha256(self):
        h = hashlib.sha256()
        for a in self.arrays():
            h.update(a.tobytes())
        return h.hexdigest()

    def save(self, doc, out_dir):
        """model.json (same topology, one weights.bin) + weights.bin, written to a temporary name then renamed."""
        os.makedirs(out_dir, exist_ok=True)
        data = b"".join(a.tobytes() for a in self.arrays())
        manifest = [{"paths": ["./weights.bin"], "weights": [{"name": e["name"], "shape": e["shape"], "dtype": "float32"} for e in self.entries]}]
        out = {k: v for k, v in doc.items() if k != "weightsManifest"}
        out["weightsManifest"] = manifest
        _atomic_write(os.path.join(out_dir, "weights.bin"), data)
        _atomic_write(os.path.join(out_dir, "model.json"), json.dumps(out).encode("utf-8"))


def _atomic_write(path, data):
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_model(model_dir, input_shape=None):
    """(LabModel with the folder's weights, WeightMap, model.json dict)."""
    doc, entries, values = read_artifacts(model_dir)
    model = LabModel(doc.get("modelTopology") or {}, input_shape)
    wm = WeightMap(model, entries)
    wm.load(values)
    return model, wm, doc
