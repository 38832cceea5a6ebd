import type { DiagnosisKind, Evidence } from './diagnosis';
import type { DiagnosisAction } from './diagnosis-actions';

/** Words for a diagnosis in English and Chinese, shared by the card, the CLI and the HTML report. */
export type TextLocale = 'en' | 'zh-CN';

const pct = (x: number) => `${Math.round(x * 100)} %`;
const pts = (x: number) => `${Math.round(x)}`;
const num = (x: number) => (Math.abs(x) >= 100 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : Number(x.toPrecision(3)).toString());
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} %`;

const KIND: Record<TextLocale, Record<DiagnosisKind, { title: string; summary: string }>> = {
  en: {
    'not-enough-data': { title: 'Not enough data yet', summary: 'Wait for a few epochs with validation before judging the curves.' },
    diverged: { title: 'Diverged', summary: 'The loss became NaN/Infinity or exploded: the steps are too large or the inputs out of range.' },
    'lr-too-low': { title: 'Learning rate too low', summary: 'The training loss is flat: the optimizer barely moves the weights.' },
    overfitting: { title: 'Overfitting', summary: 'The model learns the training set by heart and generalises worse and worse.' },
    underfitting: { title: 'Underfitting', summary: 'The model does not even fit the training data: it is too small, too constrained, or learns too slowly.' },
    'good-fit': { title: 'Good fit', summary: 'Training and validation improve together: keep training or fine-tune.' },
  },
  'zh-CN': {
    'not-enough-data': { title: '数据还不够', summary: '请等有验证结果的几个轮次之后再判断曲线。' },
    diverged: { title: '发散', summary: '损失变成 NaN/无穷大或急剧增大：步长太大或输入范围有问题。' },
    'lr-too-low': { title: '学习率太低', summary: '训练损失几乎不变：优化器几乎没有更新权重。' },
    overfitting: { title: '过拟合', summary: '模型死记训练集，泛化能力越来越差。' },
    underfitting: { title: '欠拟合', summary: '模型连训练数据都拟合不好：模型太小、约束太强或学得太慢。' },
    'good-fit': { title: '良好拟合', summary: '训练和验证同步改善：继续训练或进行微调。' },
  },
};

export function kindText(kind: DiagnosisKind, locale: TextLocale = 'en'): { title: string; summary: string } {
  return KIND[locale][kind];
}

export function evidenceText(e: Evidence, locale: TextLocale = 'en'): string {
  const zh = locale === 'zh-CN';
  switch (e.code) {
    case 'few-epochs':
      return zh ? `已完成 ${e.have} 个轮次，至少需要 ${e.need} 个` : `${e.have} epoch(s) done, at least ${e.need} needed`;
    case 'non-finite': {
      const at = e.batch === null ? (zh ? `第 ${e.epoch} 轮` : `epoch ${e.epoch}`) : zh ? `第 ${e.epoch} 轮第 ${e.batch} 批` : `epoch ${e.epoch}, batch ${e.batch}`;
      const what = e.metric === 'loss' ? (zh ? '训练损失' : 'training loss') : zh ? '验证损失' : 'validation loss';
      return zh ? `${what}在${at}变成 NaN/无穷大` : `${what} became NaN/Infinity at ${at}`;
    }
    case 'exploding':
      return zh
        ? `训练损失从 ${num(e.from)} 升到 ${num(e.to)}（×${e.factor.toFixed(1)}），第 ${e.epoch} 轮`
        : `training loss rose from ${num(e.from)} to ${num(e.to)} (×${e.factor.toFixed(1)}) by epoch ${e.epoch}`;
    case 'flat-loss':
      return zh
        ? `平滑后的训练损失 ${num(e.from)} → ${num(e.to)}（${signed(e.changePct)}），共 ${e.epochs} 轮`
        : `smoothed training loss ${num(e.from)} → ${num(e.to)} (${signed(e.changePct)}) over ${e.epochs} epochs`;
    case 'gap': {
      const since = e.since === null ? '' : zh ? `，自第 ${e.since} 轮起差距不断扩大` : `, gap widening since epoch ${e.since}`;
      return zh
        ? `训练准确率 ${pct(e.trainAcc)}，验证准确率 ${pct(e.valAcc)}（差 ${pts(e.gapPts)} 个百分点）${since}`
        : `train acc ${pct(e.trainAcc)}, val acc ${pct(e.valAcc)} (${pts(e.gapPts)} points apart)${since}`;
    }
    case 'val-loss-rising':
      return zh
        ? `验证损失在第 ${e.bestEpoch} 轮最低（${num(e.best)}），之后升到 ${num(e.last)}（${signed(e.risePct)}）`
        : `validation loss was lowest at epoch ${e.bestEpoch} (${num(e.best)}) and rose to ${num(e.last)} (${signed(e.risePct)})`;
    case 'train-loss-falling':
      return zh
        ? `同期训练损失继续下降 ${num(e.from)} → ${num(e.to)}（${signed(e.changePct)}）`
        : `while training loss kept falling ${num(e.from)} → ${num(e.to)} (${signed(e.changePct)})`;
    case 'low-train-acc':
      return zh
        ? `训练准确率只有 ${pct(e.trainAcc)}${e.valAcc === null ? '' : `，验证准确率 ${pct(e.valAcc)}`}`
        : `train acc only ${pct(e.trainAcc)}${e.valAcc === null ? '' : `, val acc ${pct(e.valAcc)}`}`;
    case 'slow-progress':
      return zh
        ? `最近 ${e.lastEpochs} 轮训练损失只变化了 ${signed(e.changePct)}`
        : `training loss changed only ${signed(e.changePct)} over the last ${e.lastEpochs} epochs`;
    case 'curves-together':
      return zh
        ? `训练准确率 ${pct(e.trainAcc)}，验证准确率 ${pct(e.valAcc)}（差 ${pts(e.gapPts)} 个百分点）`
        : `train acc ${pct(e.trainAcc)}, val acc ${pct(e.valAcc)} (${pts(e.gapPts)} points apart)`;
    case 'val-still-improving':
      return zh ? `验证损失仍在下降 ${num(e.from)} → ${num(e.to)}` : `validation loss still falling ${num(e.from)} → ${num(e.to)}`;
  }
}

export function actionText(a: DiagnosisAction, locale: TextLocale = 'en'): string {
  const d = a.detail;
  const zh = locale === 'zh-CN';
  const v = (k: string) => {
    const x = d[k];
    return typeof x === 'number' ? num(x) : String(x ?? '');
  };
  switch (a.id) {
    case 'more-augmentation':
      return zh ? `加强数据增强（${v('from')} → ${v('to')}）` : `Stronger augmentation (${v('from')} → ${v('to')})`;
    case 'more-dropout': {
      const where = String(d.where ?? 'head');
      const en = { hidden: 'in the hidden layers', head: 'before the classifier head', blocks: 'after the convolution blocks' }[where] ?? '';
      const cn = { hidden: '隐藏层', head: '分类头之前', blocks: '卷积块之后' }[where] ?? '';
      return zh ? `在${cn}添加 Dropout（丢弃概率 ${v('to')}）` : `Add dropout ${en} (drop probability ${v('to')})`;
    }
    case 'stop-earlier':
      return zh ? `更早停止（早停耐心 ${v('patience')}，恢复最佳权重）` : `Stop earlier (early stopping, patience ${v('patience')}, restore best)`;
    case 'more-weight-decay':
      return zh ? `加强权重衰减（${v('to')}）` : `More weight decay (${v('to')})`;
    case 'bigger-model':
      return zh ? '增大模型（宽度 ×2）' : 'Bigger model (twice as wide)';
    case 'higher-lr':
    case 'much-higher-lr':
      return zh ? `增大学习率（${v('from')} → ${v('to')}）` : `Higher learning rate (${v('from')} → ${v('to')})`;
    case 'lower-lr':
      return zh ? `减小学习率（${v('from')} → ${v('to')}）` : `Lower learning rate (${v('from')} → ${v('to')})`;
    case 'less-regularisation':
      return zh ? `减少正则化（${v('fields')}）` : `Less regularisation (${v('fields')})`;
    case 'train-longer':
      return zh ? `继续训练（${v('from')} → ${v('to')} 轮）` : `Train longer (${v('from')} → ${v('to')} epochs)`;
    case 'switch-to-adam':
      return zh ? `改用 Adam（原为 ${v('from')}）` : `Switch to Adam (was ${v('from')})`;
    case 'clip-gradients':
      return zh ? `梯度裁剪（范数 ≤ ${v('to')}）` : `Clip gradients (norm ≤ ${v('to')})`;
    case 'warmup':
      return zh ? `学习率预热 ${v('epochs')} 轮` : `Warm up the learning rate over ${v('epochs')} epochs`;
    case 'lr-decay':
      return zh ? '微调：余弦学习率衰减' : 'Fine-tune: cosine learning-rate decay';
  }
}

/** One paragraph for the CLI and logs. */
export function diagnosisText(d: { kind: DiagnosisKind; evidence: readonly Evidence[]; actions: readonly DiagnosisAction[] }, locale: TextLocale = 'en'): string {
  const k = kindText(d.kind, locale);
  const lines = [`${k.title}: ${k.summary}`, ...d.evidence.map((e) => `  • ${evidenceText(e, locale)}`)];
  if (d.actions.length) lines.push(locale === 'zh-CN' ? '建议：' : 'Try:', ...d.actions.map((a) => `  → ${actionText(a, locale)}`));
  return lines.join('\n');
}
