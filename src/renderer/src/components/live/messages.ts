/** Texts of the live prediction view; merged into the global catalogs by i18n/features.ts. */
const en = {
  live: {
    title: 'Live prediction',
    intro: 'Hold an object up to the camera, or drop an image here: the model names it as it sees it. The model runs in the lab\'s engine, which keeps it loaded between frames.',
    model: 'Model',
    modelPlaceholder: 'Choose a completed run',
    noModels: 'No completed run yet: train a model first, then come back.',
    camera: 'Camera',
    noCameraOption: 'No camera found',
    start: 'Start camera',
    stop: 'Stop',
    retry: 'Try again',
    mirror: 'Mirror the preview',
    mirrorHint: 'Only the preview is mirrored; the model gets frames as the camera sees them, as capture saves them.',
    topK: 'Top-k',
    heatmap: 'Heatmap (a few times a second)',
    heatmapOpacity: 'Heatmap opacity',
    heatmapOf: 'Where the model looked for “{label}”',
    noHeatmap: 'This model has no feature map to show (an MLP looks at every pixel alike).',
    modelSees: 'What the model sees',
    predictions: 'Predictions',
    waiting: 'Start the camera or drop an image to see predictions.',
    rate: '{n} predictions/s',
    latency: 'latency {ms} ms (median over the last second)',
    engineTime: 'engine {ms} ms',
    engine: 'runs in the engine ({engine})',
    dropHint: 'Drop an image anywhere on this page to classify it.',
    dropped: 'Dropped image',
    notImage: '“{name}” is not an image: drop a JPEG, PNG or WebP file.',
    problems: {
      unsupported: {
        title: 'No camera access here',
        advice: 'This page cannot use a camera (it needs the desktop app, or a browser on http://127.0.0.1 or https). You can still drop an image.',
      },
      none: {
        title: 'No camera found',
        advice: 'Connect a camera and click “Try again”. You can still drop an image.',
      },
      denied: {
        title: 'Camera permission was refused',
        advice: 'Allow the camera for this page (the camera icon in the address bar, or the system\'s privacy settings), then click “Try again”.',
      },
      busy: {
        title: 'The camera is in use',
        advice: 'Another app or tab is using the camera. Close it (video call, another camera app), then click “Try again”.',
      },
      other: {
        title: 'The camera did not start',
        advice: 'Choose another camera, or reconnect this one and click “Try again”.',
      },
    },
  },
};

const zhCN: typeof en = {
  live: {
    title: '实时预测',
    intro: '把物体举到摄像头前，或把图片拖到这里：模型会按它看到的样子说出类别。模型在实验室的引擎中运行，帧与帧之间保持加载。',
    model: '模型',
    modelPlaceholder: '选择一个已完成的运行',
    noModels: '还没有已完成的运行：请先训练一个模型，再回到这里。',
    camera: '摄像头',
    noCameraOption: '未找到摄像头',
    start: '打开摄像头',
    stop: '停止',
    retry: '重试',
    mirror: '镜像预览',
    mirrorHint: '只有预览是镜像的；模型收到的帧与摄像头看到的一致，与采集保存的一致。',
    topK: '前 k 个',
    heatmap: '热力图（每秒几次）',
    heatmapOpacity: '热力图不透明度',
    heatmapOf: '模型为“{label}”关注的位置',
    noHeatmap: '此模型没有可显示的特征图（MLP 对每个像素一视同仁）。',
    modelSees: '模型看到的画面',
    predictions: '预测',
    waiting: '打开摄像头或拖入一张图片即可看到预测。',
    rate: '每秒 {n} 次预测',
    latency: '延迟 {ms} 毫秒（最近一秒的中位数）',
    engineTime: '引擎 {ms} 毫秒',
    engine: '在引擎中运行（{engine}）',
    dropHint: '把图片拖到本页任意位置即可分类。',
    dropped: '拖入的图片',
    notImage: '“{name}”不是图片：请拖入 JPEG、PNG 或 WebP 文件。',
    problems: {
      unsupported: {
        title: '此处无法使用摄像头',
        advice: '此页面无法使用摄像头（需要桌面应用，或通过 http://127.0.0.1 或 https 打开的浏览器）。仍然可以拖入图片。',
      },
      none: {
        title: '未找到摄像头',
        advice: '请连接摄像头后点击“重试”。仍然可以拖入图片。',
      },
      denied: {
        title: '摄像头权限被拒绝',
        advice: '请允许此页面使用摄像头（地址栏中的摄像头图标，或系统的隐私设置），然后点击“重试”。',
      },
      busy: {
        title: '摄像头正被占用',
        advice: '另一个应用或标签页正在使用摄像头。请关闭它（视频通话、其他摄像头应用），然后点击“重试”。',
      },
      other: {
        title: '摄像头无法启动',
        advice: '请选择其他摄像头，或重新连接此摄像头后点击“重试”。',
      },
    },
  },
};

export const messages = { en, 'zh-CN': zhCN };
