/** Texts of the Export dialog (merged into the global catalogs by i18n/features.ts). A format or mode without a text shows its own name. */

const en = {
  exportDialog: {
    open: 'Export…',
    title: 'Export the model',
    format: 'Format',
    quantize: 'Weights',
    export: 'Export',
    close: 'Close',
    exportedTo: 'Exported to',
    download: 'Download (zip)',
    verified: 'Checked: the exported model gives the same answers as the lab\'s on {n} images (largest difference {diff}).',
    quantized: '{mode}: {before} → {after}',
    notAllowed: 'not for this format',
    formats: {
      tfjs: 'TensorFlow.js: model.json + weights, for a web page or Node.js (tf.loadLayersModel).',
      'teachable-machine': 'Teachable Machine: the same files and metadata as a Google Teachable Machine image model, for its code samples.',
      onnx: 'ONNX: one model.onnx for onnxruntime (Python, C#, C++, the web), checked against onnxruntime.',
      tflite: 'TensorFlow Lite: one .tflite file for Android, iOS and microcontrollers.',
    },
    modes: {
      none: 'Full precision (float32): exact, largest files.',
      float16: 'float16: half the size, practically the same answers.',
      uint8: '8-bit weights (uint8): a quarter of the size; accuracy may drop slightly (measured on the test images).',
      int8: 'int8, full integer: weights and activations in 8 bits, calibrated on training images; for integer-only devices.',
    },
  },
};

const zhCN: typeof en = {
  exportDialog: {
    open: '导出…',
    title: '导出模型',
    format: '格式',
    quantize: '权重',
    export: '导出',
    close: '关闭',
    exportedTo: '已导出到',
    download: '下载（zip）',
    verified: '已检查：导出的模型在 {n} 张图像上与实验室中的模型给出相同结果（最大差异 {diff}）。',
    quantized: '{mode}：{before} → {after}',
    notAllowed: '此格式不可用',
    formats: {
      tfjs: 'TensorFlow.js：model.json 加权重文件，用于网页或 Node.js（tf.loadLayersModel）。',
      'teachable-machine': 'Teachable Machine：与 Google Teachable Machine 图像模型相同的文件和元数据，可直接用其示例代码。',
      onnx: 'ONNX：一个 model.onnx，用于 onnxruntime（Python、C#、C++、网页），已用 onnxruntime 验证。',
      tflite: 'TensorFlow Lite：一个 .tflite 文件，用于 Android、iOS 和微控制器。',
    },
    modes: {
      none: '全精度（float32）：精确，文件最大。',
      float16: 'float16：大小减半，结果几乎相同。',
      uint8: '8 位权重（uint8）：大小为四分之一；准确率可能略有下降（在测试图像上测量）。',
      int8: 'int8 全整数：权重和激活都是 8 位，用训练图像校准；用于只支持整数的设备。',
    },
  },
};

export const messages = { en, 'zh-CN': zhCN };
