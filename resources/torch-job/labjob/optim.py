"""
The document's optimizers exactly as the lab's engine applies them (src/shared/optim/rules.ts,
src/main/training/rule-optimizer.ts), not torch.optim's: Adagrad's accumulator starts at 0 and ε sits inside the
root (as for RMSProp and Adam), momentum uses the current η (v ← γ·v − η·g). Same operation order as the lab's
float32 tensor path. Weight decay: 'l2' adds λ·θ to the gradient before clipping; 'decoupled' shrinks θ by η·λ·θ
after the step. Both only on kernels.
"""
import torch

SLOTS = {"sgd": [], "momentum": ["v"], "nesterov": ["v"], "adagrad": ["c"], "rmsprop": ["c"], "adam": ["m", "c"]}


def rule_step(name, theta, g, slots, h):
    """One step of `name` for one parameter: returns (new θ, new slots). Pure; float32 like the lab."""
    t = slots["t"] + 1
    lr = h["lr"]
    if name == "sgd":
        update = g * (-lr)
        return theta + update, {"t": t}
    if name in ("momentum", "nesterov"):
        v0 = slots.get("v")
        v0 = torch.zeros_like(theta) if v0 is None else v0
        v = v0 * h["momentum"] - g * lr
        update = v if name == "momentum" else v * h["momentum"] - g * lr
        return theta + update, {"t": t, "v": v}
    if name == "adagrad":
        c0 = slots.get("c")
        c0 = torch.zeros_like(theta) if c0 is None else c0
        c = c0 + g * g
        update = (g / torch.sqrt(c + h["epsilon"])) * (-lr)
        return theta + update, {"t": t, "c": c}
    if name == "rmsprop":
        c0 = slots.get("c")
        c0 = torch.zeros_like(theta) if c0 is None else c0
        c = c0 * h["rho"] + (g * g) * (1 - h["rho"])
        update = (g / torch.sqrt(c + h["epsilon"])) * (-lr)
        return theta + update, {"t": t, "c": c}
    if name == "adam":
        m0 = slots.get("m")
        c0 = slots.get("c")
        m0 = torch.zeros_like(theta) if m0 is None else m0
        c0 = torch.zeros_like(theta) if c0 is None else c0
        m = m0 * h["beta1"] + g * (1 - h["beta1"])
        c = c0 * h["beta2"] + (g * g) * (1 - h["beta2"])
        m_hat = m * (1 / (1 - h["beta1"] ** t))
        c_hat = c * (1 / (1 - h["beta2"] ** t))
        update = (m_hat / torch.sqrt(c_hat + h["epsilon"])) * (-lr)
        return theta + update, {"t": t, "m": m, "c": c}
    raise ValueError(f"unknown optimizer {name}")


class RuleOptimizer:
    def __init__(self, config, params, decay=None, decay_mask=None):
        self.name = config.get("name", "adam")
        if self.name not in SLOTS:
            raise ValueError(self.name)
        self.config = config
        self.params = list(params)
        self.decay = decay or {"kind": "none", "value": 0}
        self.decay_mask = decay_mask or [True] * len(self.params)
        self.slots = [{"t": 0} for _ in self.params]

    def hyper(self, lr):
        c = self.config
        return {
            "lr": lr,
            "momentum": c.get("momentum", 0.9),
            "rho": c.get("rho", 0.9),
            "beta1": c.get("beta1", 0.9),
            "beta2": c.get("beta2", 0.999),
            "epsilon": c.get("epsilon", 1e-8),
        }

    def with_l2(self, grads):
        if self.decay["kind"] != "l2" or not self.decay["value"]:
            return grads
        return [g + p.detach() * self.decay["value"] if m else g for g, p, m in zip(grads, self.params, self.decay_mask)]

    @torch.no_grad()
    def apply(self, grads, lr):
        h = self.hyper(lr)
        decoupled = self.decay["kind"] == "decoupled" and self.decay["value"] > 0
        for i, (p, g) in enumerate(zip(self.params, grads)):
            theta, slots = rule_step(self.name, p.data, g, self.slots[i], h)
            if decoupled and self.decay_mask[i]:
                theta = theta - p.data * (lr * self.decay["value"])
            p.data.copy_(theta)
            self.slots[i] = slots

    def state_dict(self):
        return {"name": self.name, "slots": [{k: (v.clone() if torch.is_tensor(v) else v) for k, v in s.items()} for s in self.slots]}

    def load_state_dict(self, state):
        if state["name"] != self.name or len(state["slots"]) != len(self.params):
            raise ValueError(f"optimizer checkpoint does not match ({state['name']} with {len(state['slots'])} variables vs {self.name} with {len(self.params)})")
        self.slots = [dict(s) for s in state["slots"]]


def clip_by_global_norm(grads, max_norm):
    """Scales every gradient by min(1, max/‖g‖) (global L2 norm); returns (grads, norm)."""
    norm = float(torch.sqrt(sum(torch.sum(g * g) for g in grads))) if grads else 0.0
    if max_norm is None or not norm > max_norm:
        return grads, norm
    f = max_norm / norm
    return [g * f for g in grads], norm
