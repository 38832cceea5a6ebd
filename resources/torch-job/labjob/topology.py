"""
A tfjs-layers topology (Sequential or functional, with models nested inside models, e.g. a Teachable Machine export
or a transfer backbone) flattened into one list of leaf layers, each with the names of the layers it reads.
The same dissolving as the lab's src/main/models/flatten-topology.ts: every leaf keeps its name, so its weights.
"""
from .errors import JobError

CONTAINERS = {"Sequential", "Model", "Functional"}


class Node:
    __slots__ = ("name", "cls", "config", "inputs", "trainable")

    def __init__(self, name, cls, config, inputs, trainable):
        self.name = name
        self.cls = cls
        self.config = config
        self.inputs = inputs
        self.trainable = trainable


def layers_of(model):
    cfg = model.get("config")
    if isinstance(cfg, list):
        return cfg
    return (cfg or {}).get("layers") or []


def name_of(layer):
    cfg = layer.get("config") or {}
    return str(cfg.get("name") if isinstance(cfg, dict) and cfg.get("name") is not None else layer.get("name"))


def _bad(text, **params):
    return JobError("torchJob.badModel", "model-init/model.json: " + text, **params)


def flatten(topology):
    """Returns (input node name, input shape [H, W, C] or [F], leaf nodes in call order, output node name)."""
    out = []
    used = set()
    inputs_declared = []

    def emit_leaf(layer, ins, trainable):
        name = name_of(layer)
        if name in used:
            raise _bad(f'layer "{name}" appears twice; shared layers are not supported', layer=name)
        used.add(name)
        cfg = dict(layer.get("config") or {})
        own = cfg.get("trainable", True) is not False
        out.append(Node(name, str(layer.get("class_name")), cfg, list(ins), trainable and own))
        return name

    def emit_input(shape, name):
        if not isinstance(shape, list) or len(shape) < 2:
            raise _bad(f'input "{name}" declares no shape')
        used.add(name)
        inputs_declared.append((name, [None if s is None else int(s) for s in shape[1:]]))
        out.append(Node(name, "InputLayer", {}, [], False))
        return name

    def first_input_shape(model):
        ls = layers_of(model)
        if not ls:
            return None
        c = ls[0].get("config") or {}
        if c.get("batch_input_shape"):
            return c["batch_input_shape"]
        return first_input_shape(ls[0]) if str(ls[0].get("class_name")) in CONTAINERS else None

    def emit_model(model, inp, trainable):
        cls = str(model.get("class_name"))
        mcfg = model.get("config")
        if isinstance(mcfg, dict) and mcfg.get("trainable") is False:
            trainable = False
        layers = layers_of(model)
        if cls == "Sequential":
            x = inp
            for layer in layers:
                lc = layer.get("config") or {}
                if layer.get("class_name") == "InputLayer":
                    if x is None:
                        x = emit_input(lc.get("batch_input_shape"), name_of(layer))
                    continue
                if x is None:
                    shape = lc.get("batch_input_shape") or (first_input_shape(layer) if str(layer.get("class_name")) in CONTAINERS else None)
                    if not shape:
                        raise _bad(f'the first layer of Sequential "{name_of(model)}" declares no input shape')
                    x = emit_input(shape, f"{name_of(model)}_input")
                if str(layer.get("class_name")) in CONTAINERS:
                    x = emit_model(layer, x, trainable)
                else:
                    x = emit_leaf(layer, [x], trainable)
            if x is None:
                raise _bad(f'Sequential "{name_of(model)}" has no layers')
            return x
        if cls not in ("Model", "Functional"):
            raise _bad(f"the top of the topology is a {cls}, not a model")
        input_names = [r[0] for r in (mcfg.get("input_layers") or [])]
        if len(input_names) != 1:
            raise _bad(f'model "{name_of(model)}" has {len(input_names)} inputs; only single-input models can be trained')
        ref = {}
        for layer in layers:
            name = name_of(layer)
            lcls = str(layer.get("class_name"))
            if lcls == "InputLayer":
                ref[name] = inp if inp is not None else emit_input((layer.get("config") or {}).get("batch_input_shape"), name)
                continue
            nodes = layer.get("inbound_nodes") or []
            if len(nodes) != 1:
                raise _bad(f'layer "{name}" is called {len(nodes)} times; shared layers are not supported', layer=name)
            ins = []
            for n in nodes[0]:
                src = n[0] if isinstance(n, list) else n.get("args", [None])[0]
                if str(src) not in ref:
                    raise _bad(f'layer "{name}" reads "{src}", which comes later', layer=name)
                ins.append(ref[str(src)])
            ref[name] = emit_model(layer, ins[0], trainable) if lcls in CONTAINERS else emit_leaf(layer, ins, trainable)
        outs = mcfg.get("output_layers") or []
        if len(outs) != 1 or str(outs[0][0]) not in ref:
            raise _bad(f'model "{name_of(model)}" must name exactly one output layer')
        return ref[str(outs[0][0])]

    top = topology.get("model_config", topology) if isinstance(topology, dict) else None
    if not isinstance(top, dict) or "class_name" not in top:
        raise _bad("no layers model topology (a graph model cannot be trained)")
    output = emit_model(top, None, True)
    if len(inputs_declared) != 1:
        raise _bad("the model must have exactly one input")
    return inputs_declared[0][0], inputs_declared[0][1], out, output
