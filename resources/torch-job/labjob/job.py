"""The job folder: job.json read and checked, the raw uint8 shards mapped (never loaded whole), preprocessing."""
import json
import os

import numpy as np

from .errors import JobError

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


class Split:
    def __init__(self, x, y, ids, count):
        self.x = x  # memmap uint8 [count, H, W, C]
        self.y = y  # int64 [count]
        self.ids = ids  # int64 [count]: the image ids augmentation is seeded with
        self.n = count


class Job:
    def __init__(self, job_dir):
        self.dir = os.path.abspath(job_dir)
        path = os.path.join(self.dir, "job.json")
        if not os.path.exists(path):
            raise JobError("torchJob.missingFile", f"{path} does not exist: point --job at a folder the lab wrote (it holds job.json).", file=path)
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except ValueError as err:
            raise JobError("torchJob.badJob", f"{path} is not valid JSON ({err}): write the job again from the lab.", file=path)
        if doc.get("version") != 1:
            raise JobError("torchJob.badJob", f"job.json version {doc.get('version')!r} is not one this labjob reads (1): write the job again from this lab.", version=doc.get("version"))
        self.doc = doc
        cfg = doc.get("config")
        if not isinstance(cfg, dict):
            raise JobError("torchJob.badJob", "job.json has no config.")
        self.config = cfg
        self.classes = list(doc.get("classes") or [])
        if len(self.classes) < 2:
            raise JobError("torchJob.badJob", "job.json lists fewer than 2 classes.", count=len(self.classes))
        shape = doc.get("inputShape")
        if not (isinstance(shape, list) and len(shape) == 3 and all(isinstance(v, int) and v > 0 for v in shape)):
            raise JobError("torchJob.badJob", f"job.json inputShape must be [H, W, C]; it is {shape!r}.")
        self.input_shape = shape
        self.seed = int(doc.get("seed", cfg.get("seed", 42)))
        self.scale, self.offset = self._preprocessing(doc.get("preprocessing"))
        opt = (cfg.get("optimizer") or {}).get("name", "adam")
        if opt not in OPTIMIZERS:
            raise JobError("torchJob.badJob", f'the optimizer "{opt}" is not one the lab offers ({", ".join(OPTIMIZERS)}).', optimizer=opt)
        for key in ("batchSize", "epochs"):
            if not isinstance(cfg.get(key), int) or cfg[key] < 1:
                raise JobError("torchJob.badJob", f"config.{key} must be a whole number of at least 1.", field=key)
        data = doc.get("data") or {}
        self.train = self._split(data.get("train"), "train")
        if self.train.n == 0:
            raise JobError("torchJob.badJob", "the training split holds no images.")
        self.val = self._split(data["val"], "val") if data.get("val") else None
        self.balance = cfg.get("balance", "none")
        if doc.get("oversample"):
            self.balance = "oversample"
        self.class_weights = doc.get("classWeights")
        if self.class_weights is not None and len(self.class_weights) != len(self.classes):
            raise JobError("torchJob.badJob", "job.json classWeights must have one weight per class.")
        model = doc.get("model", "model-init/model.json")
        self.model_dir = os.path.dirname(os.path.join(self.dir, model))
        self.out_dir = os.path.join(self.dir, "out")
        self.ckpt_dir = os.path.join(self.dir, "ckpt")
        self.mean = doc.get("datasetMean")

    def _preprocessing(self, p):
        """x = u8·scale + offset; or the lab's Preprocessing (normalization unit: /255, symmetric: /127.5 − 1)."""
        if isinstance(p, dict) and "scale" in p:
            return float(p["scale"]), float(p.get("offset", 0.0))
        norm = p.get("normalization") if isinstance(p, dict) else p
        if norm in (None, "unit"):
            return 1 / 255, 0.0
        if norm == "symmetric":
            return 1 / 127.5, -1.0
        raise JobError("torchJob.badJob", f"job.json preprocessing {p!r} is not one the lab writes.")

    def normalise(self, u8):
        """uint8 NHWC pixels → the model's float32 input (exactly the lab's unit or symmetric conversion)."""
        import torch

        t = torch.from_numpy(np.ascontiguousarray(u8)).float()
        if self.offset == 0.0 and self.scale == 1 / 255:
            return t / 255.0
        if self.offset == -1.0 and self.scale == 1 / 127.5:
            return t / 127.5 - 1.0
        return t * self.scale + self.offset

    @property
    def normalization(self):
        return "symmetric" if self.offset == -1.0 else "unit"

    def _file(self, rel, what):
        path = os.path.join(self.dir, rel)
        if not os.path.exists(path):
            raise JobError("torchJob.missingShard", f"The data file {rel} ({what}) is missing from the job folder: write the job again from the lab, or copy the whole folder.", file=rel)
        return path

    def _split(self, spec, name):
        if not isinstance(spec, dict) or not isinstance(spec.get("count"), int):
            raise JobError("torchJob.badJob", f"job.json data.{name} must give x, y and count.")
        n = spec["count"]
        h, w, c = self.input_shape
        xp = self._file(spec.get("x", f"data/{name}-x.u8"), f"{name} pixels")
        yp = self._file(spec.get("y", f"data/{name}-y.i32"), f"{name} labels")
        row = h * w * c
        if os.path.getsize(xp) != n * row:
            raise JobError("torchJob.badShard", f"{os.path.relpath(xp, self.dir)} holds {os.path.getsize(xp)} bytes; {n} images of {h}×{w}×{c} need {n * row}. Write the job again from the lab.", file=xp)
        if os.path.getsize(yp) != 4 * n:
            raise JobError("torchJob.badShard", f"{os.path.relpath(yp, self.dir)} holds {os.path.getsize(yp) // 4} labels for {n} images. Write the job again from the lab.", file=yp)
        x = np.memmap(xp, dtype=np.uint8, mode="r", shape=(n, h, w, c)) if n > 0 else np.zeros((0, h, w, c), np.uint8)
        y = np.fromfile(yp, dtype="<i4").astype(np.int64)
        if n and (y.min() < 0 or y.max() >= len(self.classes)):
            raise JobError("torchJob.badShard", f"{os.path.relpath(yp, self.dir)} has labels outside 0…{len(self.classes) - 1}.", file=yp)
        ids = np.arange(n, dtype=np.int64)
        if spec.get("ids"):
            ip = self._file(spec["ids"], f"{name} image ids")
            ids = np.fromfile(ip, dtype="<i4").astype(np.int64)
            if len(ids) != n:
                raise JobError("torchJob.badShard", f"{spec['ids']} holds {len(ids)} ids for {n} images.", file=spec["ids"])
        return Split(x, y, ids, n)
