import { defineMessages } from '../define';

/** Heatmaps (Grad-CAM): where a model looked. */
export const explainMessages = defineMessages(
  {
    'explain.noConvLayer': 'The model "{model}" has no convolutional layer with a feature map, so there is no heatmap of where it looked (an MLP looks at every pixel alike). Train a CNN, ResNet or transfer model to see heatmaps.',
    'explain.unknownLayer': 'The model has no layer named "{layer}". Leave the layer out to use the last convolutional block.',
    'explain.notSpatial': 'The layer "{layer}" has no spatial feature map (height and width of at least 2), so a heatmap cannot be computed on it. Choose a convolutional layer, or leave the layer out.',
    'explain.notOnPath': 'The layer "{layer}" does not lead to the model\'s prediction, so it cannot explain it. Choose a layer before the classifier.',
    'explain.written': '{n} {n|heatmap|heatmaps} written to {dir}',
  },
  {
    'explain.noConvLayer': '模型“{model}”没有带特征图的卷积层，因此无法生成它关注位置的热力图（MLP 对每个像素一视同仁）。请训练 CNN、ResNet 或迁移学习模型来查看热力图。',
    'explain.unknownLayer': '模型中没有名为“{layer}”的层。不指定层即可使用最后一个卷积块。',
    'explain.notSpatial': '层“{layer}”没有空间特征图（高和宽至少为 2），无法在其上计算热力图。请选择卷积层，或不指定层。',
    'explain.notOnPath': '层“{layer}”不通向模型的预测结果，无法解释预测。请选择分类器之前的层。',
    'explain.written': '已将 {n} 张热力图写入 {dir}',
  },
);
