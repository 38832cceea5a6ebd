/** Texts of the Train page's engine choice; merged into the global catalogs by i18n/features.ts. */
const en = {
  trainEngine: {
    title: 'Engine',
    lab: "The lab's engine (this computer)",
    torch: 'PyTorch job (DistributedDataParallel)',
    help: 'A PyTorch job trains the same experiment with PyTorch, in several processes or on other machines, and comes back as a normal run: curves, evaluation and exports as usual. It needs Python with PyTorch (see Settings → Engine).',
    processes: 'Processes',
    processesHelp: 'One rank each: gloo on the CPU, NCCL on GPUs. The batch size must divide evenly among them.',
    device: 'Device',
    devices: { auto: 'Automatic (GPU if PyTorch sees one)', cpu: 'CPU', cuda: 'GPU (CUDA)' },
    template: 'Command template (optional)',
    templateHelp: 'Leave empty to start the processes here. Otherwise the lab runs this command once per rank (when it names the rank), filling in {names}; docs/SCALE-OUT.md shows ssh and Slurm examples.',
  },
};

const zhCN: typeof en = {
  trainEngine: {
    title: '训练引擎',
    lab: '本实验室的引擎（本机）',
    torch: 'PyTorch 作业（DistributedDataParallel）',
    help: 'PyTorch 作业用 PyTorch 训练同一个实验，可在多个进程或其他机器上运行，结束后作为普通运行返回：曲线、评估和导出照常可用。需要装有 PyTorch 的 Python（见 设置 → 引擎）。',
    processes: '进程数',
    processesHelp: '每个进程一个 rank：CPU 上用 gloo，GPU 上用 NCCL。批大小必须能被进程数整除。',
    device: '设备',
    devices: { auto: '自动（PyTorch 能看到 GPU 时用 GPU）', cpu: 'CPU', cuda: '显卡 GPU（CUDA）' },
    template: '命令模板（可选）',
    templateHelp: '留空则在本机启动各进程。否则本实验室为每个 rank 运行一次此命令（命令中含 rank 占位符时），并填入 {names}；docs/SCALE-OUT.md 给出了 ssh 和 Slurm 的示例。',
  },
};

export const messages = { en, 'zh-CN': zhCN };
