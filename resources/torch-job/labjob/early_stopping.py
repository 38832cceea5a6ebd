"""Early stopping and the best epoch, as src/main/training/early-stopping.ts (and its callback) decide them."""
import math


class EarlyStopping:
    def __init__(self, cfg, has_val):
        self.cfg = cfg
        self.monitor = cfg.get("monitor", "val_loss") if has_val else "loss"
        self.best_epoch = None
        self.best_value = None
        self.wait = 0

    @property
    def enabled(self):
        return bool(self.cfg.get("enabled", True))

    @property
    def active(self):
        return self.enabled and self.monitor != "loss"

    @property
    def keeps_best(self):
        return self.enabled and bool(self.cfg.get("restoreBest", True))

    def _value(self, log):
        v = log["valLoss"] if self.monitor == "val_loss" else log["valAccuracy"] if self.monitor == "val_accuracy" else log["loss"]
        return v if v is not None and math.isfinite(v) else None

    def _improves(self, v):
        if self.best_value is None:
            return True
        d = self.cfg.get("minDelta", 0)
        return v > self.best_value + d if self.monitor == "val_accuracy" else v < self.best_value - d

    def update(self, log):
        """Judges a finished epoch; fills log bestEpoch/patienceLeft; returns whether it is the new best."""
        v = self._value(log)
        best = False
        if v is not None and self._improves(v):
            self.best_value, self.best_epoch, self.wait, best = v, log["epoch"], 0, True
        else:
            self.wait += 1
        log["bestEpoch"] = self.best_epoch
        log["patienceLeft"] = max(0, self.cfg.get("patience", 5) - self.wait) if self.active else None
        return best

    @property
    def should_stop(self):
        return self.active and self.wait >= self.cfg.get("patience", 5)

    def state(self):
        return {"bestEpoch": self.best_epoch, "bestValue": self.best_value, "wait": self.wait}

    def load(self, s):
        self.best_epoch, self.best_value, self.wait = s["bestEpoch"], s["bestValue"], s["wait"]
