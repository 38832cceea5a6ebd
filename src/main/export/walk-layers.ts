// Walks a tfjs layers model (Sequential, functional, or nested in each other) in dependency order, handing each
// layer the values its inputs became. The ONNX and TFLite converters share it; each supplies what a "value" is
// (an ONNX tensor name, a TFLite tensor index) and how one layer turns inputs into outputs.
import * as tf from '@tensorflow/tfjs';
import { LabError } from '../../shared/errors';
import type { LabMessage } from '../../shared/messages';

type NodeRef = [string, number, number, ...unknown[]];
interface ContainerConfig {
  layers: { name: string; className: string; inboundNodes: NodeRef[][] }[];
  inputLayers: NodeRef[];
  outputLayers: NodeRef[];
}

export interface LayerWalk<V> {
  /** Converts one layer (a nested model included: call walkContainer again for it). */
  layer(layer: tf.layers.Layer, inputs: V[]): V[];
  /** Said when some layers' inputs never become available. */
  unreachable(model: string, layers: string[]): LabMessage;
  /** Said when a model output was never computed. */
  outputMissing(model: string, output: string): LabMessage;
}

export function walkContainer<V>(model: tf.LayersModel, inputs: V[], walk: LayerWalk<V>): V[] {
  if (model instanceof tf.Sequential) {
    let values = inputs;
    for (const layer of model.layers) values = walk.layer(layer, values);
    return values;
  }
  const cfg = model.getConfig() as unknown as ContainerConfig;
  const values = new Map<string, V>();
  const key = (r: NodeRef): string => `${r[0]}:${r[1]}:${r[2]}`;
  cfg.inputLayers.forEach((r, i) => values.set(key(r), inputs[i] as V));
  let pending = cfg.layers.filter((l) => l.className !== 'InputLayer').flatMap((l) => l.inboundNodes.map((node, index) => ({ l, node, index })));
  while (pending.length) {
    const next = pending.filter(({ l, node, index }) => {
      if (!node.every((r) => values.has(key(r)))) return true;
      const layer = model.getLayer(l.name);
      const outs = walk.layer(layer, node.map((r) => values.get(key(r)) as V));
      // tfjs (like Keras) numbers a nested model's nodes from 1: node 0 is the model's own input node.
      const nodeIndex = index + (layer instanceof tf.LayersModel ? 1 : 0);
      outs.forEach((v, t) => values.set(`${l.name}:${nodeIndex}:${t}`, v));
      return false;
    });
    if (next.length === pending.length) {
      throw new LabError('EXPORT_FAILED', walk.unreachable(model.name, next.map((p) => p.l.name)));
    }
    pending = next;
  }
  return cfg.outputLayers.map((r) => {
    const v = values.get(key(r));
    if (v === undefined) throw new LabError('EXPORT_FAILED', walk.outputMissing(model.name, r[0]));
    return v;
  });
}
