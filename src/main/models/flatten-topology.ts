/**
 * Nested models (a Teachable Machine export is Sequential[Sequential[MobileNetV2 Model, pooling],
 * Sequential[Dense, Dense]]) rewritten as one functional model whose layers are all leaves, keeping every
 * layer's name and so its weights. tfjs cannot give the output of a layer inside a nested model ("Layer
 * sequential_3 has multiple inbound nodes…"); in the flat graph every layer is called once and any of them can be
 * the cut layer of a transfer model.
 */
type Json = Record<string, unknown>;
/** [layer name, node index, tensor index] */
type Ref = [string, number, number];

const CONTAINERS = new Set(['Sequential', 'Model', 'Functional']);

/** Whether a Keras/tfjs topology holds a model inside a model. */
export function isNested(topology: Json): boolean {
  const layers = layersOf(topology);
  return layers.some((l) => CONTAINERS.has(String(l['class_name'])));
}

function layersOf(model: Json): Json[] {
  const cfg = model['config'];
  if (Array.isArray(cfg)) return cfg as Json[];
  return ((cfg as Json | undefined)?.['layers'] as Json[] | undefined) ?? [];
}

function nameOf(layer: Json): string {
  return String(((layer['config'] as Json | undefined)?.['name'] as string | undefined) ?? layer['name']);
}

/** The functional topology (class_name 'Model') equivalent to `topology`, with nested models dissolved. */
export function flattenTopology(topology: Json): Json {
  const out: Json[] = [];
  const used = new Set<string>();
  const emitLeaf = (layer: Json, inputs: Ref[]): Ref => {
    const name = nameOf(layer);
    if (used.has(name)) throw new Error(`layer "${name}" appears twice in the nested model`);
    used.add(name);
    const config = { ...(layer['config'] as Json) };
    delete config['batch_input_shape'];
    out.push({ class_name: layer['class_name'], name, config, inbound_nodes: inputs.length ? [inputs.map((r) => [...r, {}])] : [] });
    return [name, 0, 0];
  };
  const emitInput = (shape: unknown, dtype: unknown, name: string): Ref => {
    used.add(name);
    out.push({ class_name: 'InputLayer', name, config: { batch_input_shape: shape, dtype: dtype ?? 'float32', sparse: false, name }, inbound_nodes: [] });
    return [name, 0, 0];
  };

  /** Emits `model`'s layers applied to `input` (null: the model declares its own input) and returns its output. */
  const emitModel = (model: Json, input: Ref | null): Ref => {
    const cls = String(model['class_name']);
    const layers = layersOf(model);
    if (cls === 'Sequential') {
      let x = input;
      for (const layer of layers) {
        if (layer['class_name'] === 'InputLayer') {
          const c = layer['config'] as Json;
          x ??= emitInput(c['batch_input_shape'], c['dtype'], nameOf(layer));
          continue;
        }
        if (x === null) {
          const c = layer['config'] as Json;
          const shape = c['batch_input_shape'] ?? (CONTAINERS.has(String(layer['class_name'])) ? firstInputShape(layer) : undefined);
          if (!shape) throw new Error(`the first layer of Sequential "${nameOf(model)}" declares no input shape`);
          x = emitInput(shape, c['dtype'], `${nameOf(model)}_input`);
        }
        x = CONTAINERS.has(String(layer['class_name'])) ? emitModel(layer, x) : emitLeaf(layer, [x]);
      }
      if (!x) throw new Error(`Sequential "${nameOf(model)}" has no layers`);
      return x;
    }
    // Functional: replay its graph in order; its input layers become `input` (or inputs of their own at top level).
    const cfg = model['config'] as Json;
    const inputNames = ((cfg['input_layers'] as Ref[] | undefined) ?? []).map((r) => r[0]);
    if (inputNames.length !== 1) throw new Error(`model "${nameOf(model)}" has ${inputNames.length} inputs; only single-input models can be flattened`);
    const refOf = new Map<string, Ref>();
    for (const layer of layers) {
      const name = nameOf(layer);
      if (layer['class_name'] === 'InputLayer') {
        const c = layer['config'] as Json;
        refOf.set(name, input ?? emitInput(c['batch_input_shape'], c['dtype'], name));
        continue;
      }
      const nodes = (layer['inbound_nodes'] as unknown[][][] | undefined) ?? [];
      if (nodes.length !== 1) throw new Error(`layer "${name}" is called ${nodes.length} times inside "${nameOf(model)}"; shared layers cannot be flattened`);
      const inputs = nodes[0]!.map((n) => {
        const r = refOf.get(String(n[0]));
        if (!r) throw new Error(`layer "${name}" reads "${String(n[0])}", which comes later`);
        return r;
      });
      refOf.set(name, CONTAINERS.has(String(layer['class_name'])) ? emitModel(layer, inputs[0]!) : emitLeaf(layer, inputs));
    }
    const outName = ((cfg['output_layers'] as Ref[] | undefined) ?? [])[0]?.[0];
    const r = outName !== undefined ? refOf.get(outName) : undefined;
    if (!r) throw new Error(`model "${nameOf(model)}" names no output layer`);
    return r;
  };

  const output = emitModel(topology, null);
  const inputLayer = out.find((l) => l['class_name'] === 'InputLayer')!;
  return {
    class_name: 'Model',
    config: { name: `${nameOf(topology)}_flat`, layers: out, input_layers: [[inputLayer['name'], 0, 0]], output_layers: [output] },
    ...(topology['keras_version'] ? { keras_version: topology['keras_version'] } : {}),
    ...(topology['backend'] ? { backend: topology['backend'] } : {}),
  };
}

function firstInputShape(model: Json): unknown {
  const first = layersOf(model)[0];
  if (!first) return undefined;
  const c = first['config'] as Json;
  return c['batch_input_shape'] ?? (CONTAINERS.has(String(first['class_name'])) ? firstInputShape(first) : undefined);
}
