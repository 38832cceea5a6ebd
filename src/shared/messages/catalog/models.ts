import { defineMessages } from '../define';

/** Model choice (`model: auto`), class balance suggestions, embedding cache and backbones. */
export const modelMessages = defineMessages(
  {
    'model.auto.transferPhotos':
      'Colour photos (typically {width}×{height}, {perClass} per class): transfer learning from the pretrained MobileNetV2 at {size}×{size}, which trains only a small head on each image\'s embedding, computed once.',
    'model.auto.transferFew':
      'Only {perClass} images per class: transfer learning from the pretrained MobileNetV2 at {size}×{size} learns from few examples (grey images are turned into RGB).',
    'model.auto.cnnSmallGrey': 'Small greyscale images ({width}×{height}): a small CNN at their own size ({size}×{size}) learns them quickly; a 224-pixel backbone would only enlarge them.',
    'model.auto.cnnSmallColour': 'Small colour images ({width}×{height}): a small CNN at their own size ({size}×{size}) learns them quickly; a 224-pixel backbone would only enlarge them.',
    'model.auto.cnnMany': 'Greyscale images of {width}×{height} with {perClass} per class: enough to train a 3-block CNN from scratch at {size}×{size}.',
    'model.auto.cnnUnknown': 'The image sizes are unknown: the default small CNN at {size}×{size}.',
    'model.balance.classWeights': 'The largest class has {ratio}× the images of the smallest: set balance to class weights so that every class counts equally in the loss.',
    'model.balance.oversample': 'The largest class has {ratio}× the images of the smallest: set balance to oversampling so that the small classes are seen as often as the large ones (with augmentation on, their repeats differ).',
    'model.embeddings.cached': 'The frozen backbone runs once per image; its embeddings are cached ({images} images, {dim} values each) and every epoch trains only the head.',
    'model.embeddings.computing': 'Computing the backbone\'s embedding of {images} images (once; later epochs, runs and tuning trials reuse them)…',
    'model.embeddings.reused': 'Reusing the cached embeddings of {images} images (computed by an earlier run).',
    'model.embeddings.augmentCost':
      'Augmentation is on, so the frozen backbone runs on every image in every epoch (about {seconds} s per epoch here). Set model.embeddings to "cache" to train the head on cached embeddings in seconds, without augmentation.',
    'model.embeddings.augmentSkipped': 'model.embeddings is "cache": the cached embeddings are of the unaugmented images, so augmentation is off for this run.',
    'model.download.offline': 'The backbone "{id}" could not be downloaded from {url} ({detail}). Check the internet connection and try again: the part already downloaded is kept and the download resumes. The bundled MobileNetV2 works offline.',
    'model.download.badChecksum': 'The download of {file} for the backbone "{id}" does not match its published checksum (expected {expected}, got {actual}), so it was deleted. Try again later; the bundled MobileNetV2 keeps working.',
    'model.download.cancelled': 'The download of the backbone "{id}" was cancelled; the part already downloaded is kept for next time.',
    'model.download.unknown': 'There is no downloadable backbone "{id}". Known ones: {known}.',
  },
  {
    'model.auto.transferPhotos': '彩色照片（通常为 {width}×{height}，每类 {perClass} 张）：使用预训练的 MobileNetV2 在 {size}×{size} 上做迁移学习，每张图片的特征向量只计算一次，只训练一个小的分类头。',
    'model.auto.transferFew': '每类只有 {perClass} 张图片：使用预训练的 MobileNetV2 在 {size}×{size} 上做迁移学习，少量样本也能学会（灰度图片会转换为 RGB）。',
    'model.auto.cnnSmallGrey': '小尺寸灰度图片（{width}×{height}）：用原尺寸（{size}×{size}）的小型 CNN 就能很快学会；224 像素的骨干网络只会把它们放大。',
    'model.auto.cnnSmallColour': '小尺寸彩色图片（{width}×{height}）：用原尺寸（{size}×{size}）的小型 CNN 就能很快学会；224 像素的骨干网络只会把它们放大。',
    'model.auto.cnnMany': '{width}×{height} 的灰度图片，每类 {perClass} 张：数据足以在 {size}×{size} 上从头训练一个 3 层卷积块的 CNN。',
    'model.auto.cnnUnknown': '图片尺寸未知：使用默认的 {size}×{size} 小型 CNN。',
    'model.balance.classWeights': '最大的类别图片数是最小类别的 {ratio} 倍：将类别平衡设为“类别权重”，让每个类别在损失中分量相同。',
    'model.balance.oversample': '最大的类别图片数是最小类别的 {ratio} 倍：将类别平衡设为“过采样”，让小类别和大类别出现得一样频繁（开启数据增强后，重复的样本各不相同）。',
    'model.embeddings.cached': '冻结的骨干网络对每张图片只运行一次；其特征向量已缓存（{images} 张图片，每张 {dim} 个值），每个轮次只训练分类头。',
    'model.embeddings.computing': '正在计算 {images} 张图片的骨干网络特征向量（只算一次；之后的轮次、运行和调参试验都会复用）……',
    'model.embeddings.reused': '复用之前运行缓存的 {images} 张图片的特征向量。',
    'model.embeddings.augmentCost': '数据增强已开启，因此冻结的骨干网络在每个轮次都要处理每张图片（这里每轮约 {seconds} 秒）。将 model.embeddings 设为 "cache" 可在几秒内基于缓存的特征向量训练分类头，但不做数据增强。',
    'model.embeddings.augmentSkipped': 'model.embeddings 为 "cache"：缓存的是未增强图片的特征向量，因此本次运行关闭数据增强。',
    'model.download.offline': '无法从 {url} 下载骨干网络“{id}”（{detail}）。请检查网络连接后重试：已下载的部分会保留，下载将从断点继续。内置的 MobileNetV2 无需联网即可使用。',
    'model.download.badChecksum': '骨干网络“{id}”的文件 {file} 与公布的校验和不符（应为 {expected}，实际为 {actual}），已删除。请稍后重试；内置的 MobileNetV2 仍可使用。',
    'model.download.cancelled': '骨干网络“{id}”的下载已取消；已下载的部分会保留到下次。',
    'model.download.unknown': '没有名为“{id}”的可下载骨干网络。已知的有：{known}。',
  },
);
