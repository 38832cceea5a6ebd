/** Export (tfjs, Teachable Machine, ONNX, quantisation) and import of exported models. */
export { exportModel, type ExportOptions, type EvaluationData } from './export-model';
export { loadExportedModel, type LoadedModel } from './load-exported';
export { layersModelToOnnx, ONNX_OPSET } from './onnx/layers-to-onnx';
export { preprocessingJson, normalizationOf, sharpResizeFor, type PreprocessingJson } from './preprocessing-doc';
export type { QuantizeMode } from './quantize';
