import { defineMessages } from '../define';

/** Backbones downloaded on demand: the catalogue, its checksum pins, the `lab backbones` command. */
export const backboneMessages = defineMessages(
  {
    'backbone.pinMismatch':
      'The file {file} of the backbone "{id}" does not match the checksum the lab recorded when it was first downloaded (expected {expected}, got {actual}). The lab removed that file; download the backbone again ("lab backbones fetch {id}" or Download in the Train view). The bundled MobileNetV2 keeps working.',
    'backbone.changedUpstream':
      'The file {file} downloaded again for the backbone "{id}" differs from the one first downloaded (expected {expected}, got {actual}), so it was deleted: the published file changed or the download was altered. To accept a new version, delete the folder {dir} and download again.',
    'backbone.notDownloaded': 'The backbone "{id}" is not downloaded yet: run "lab backbones fetch {id}" or press Download in the Train view (it is also downloaded when a run starts).',
    'backbone.unresolvedHere':
      'model.backbone "catalog:{id}" is downloaded when a training run starts; this step cannot do that. Download it ("lab backbones fetch {id}") and give its folder instead: backbones/{id} in the lab\'s workspace.',
    'backbone.badCatalogFile': 'The backbone catalogue {file} is not valid ({detail}). Fix or delete that file; the built-in catalogue still works.',
    'backbone.badModelJson': 'The model.json of the backbone "{id}" from {url} is not a tfjs layers model ({detail}); it was deleted.',
    'backbone.downloading': 'Downloading the backbone "{id}" (about {size}) from {url}…',
    'backbone.downloadProgress': 'Backbone "{id}": {done} of {total} downloaded.',
    'backbone.downloaded': 'The backbone "{id}" is downloaded; its files\' SHA-256 checksums are pinned in {file} and checked on every later use.',
    'backbone.state.bundled': 'bundled',
    'backbone.state.downloaded': 'downloaded',
    'backbone.state.partial': 'partly downloaded',
    'backbone.state.missing': 'not downloaded',
    'backbone.list.header': 'Backbones (use as model.backbone):',
    'backbone.list.hint': 'Download one with "lab backbones fetch <id>" (Ctrl-C cancels; the next fetch resumes).',
    'backbone.usage': 'Usage: lab backbones [fetch <id>]',
  },
  {
    'backbone.pinMismatch':
      '骨干网络“{id}”的文件 {file} 与首次下载时实验室记录的校验和不符（应为 {expected}，实际为 {actual}）。实验室已删除该文件；请重新下载该骨干网络（“lab backbones fetch {id}”，或在训练页面点击“下载”）。内置的 MobileNetV2 仍可使用。',
    'backbone.changedUpstream':
      '为骨干网络“{id}”重新下载的文件 {file} 与首次下载的不同（应为 {expected}，实际为 {actual}），已删除：发布的文件已更改，或下载内容被篡改。如要接受新版本，请删除文件夹 {dir} 后重新下载。',
    'backbone.notDownloaded': '骨干网络“{id}”尚未下载：请运行“lab backbones fetch {id}”，或在训练页面点击“下载”（开始训练时也会自动下载）。',
    'backbone.unresolvedHere': 'model.backbone “catalog:{id}”会在训练运行开始时下载；这一步无法下载。请先下载（“lab backbones fetch {id}”），然后改为填写它的文件夹：实验室工作区中的 backbones/{id}。',
    'backbone.badCatalogFile': '骨干网络目录文件 {file} 无效（{detail}）。请修正或删除该文件；内置目录仍可使用。',
    'backbone.badModelJson': '从 {url} 下载的骨干网络“{id}”的 model.json 不是 tfjs 层模型（{detail}），已删除。',
    'backbone.downloading': '正在从 {url} 下载骨干网络“{id}”（约 {size}）……',
    'backbone.downloadProgress': '骨干网络“{id}”：已下载 {done} / {total}。',
    'backbone.downloaded': '骨干网络“{id}”已下载；其文件的 SHA-256 校验和已记录在 {file} 中，之后每次使用都会校验。',
    'backbone.state.bundled': '内置',
    'backbone.state.downloaded': '已下载',
    'backbone.state.partial': '部分下载',
    'backbone.state.missing': '未下载',
    'backbone.list.header': '骨干网络（用作 model.backbone）：',
    'backbone.list.hint': '用“lab backbones fetch <id>”下载（Ctrl-C 取消；下次下载会从断点继续）。',
    'backbone.usage': '用法：lab backbones [fetch <id>]',
  },
);
