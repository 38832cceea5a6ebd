import type { DiagnosisKind, Evidence } from './diagnosis';
import type { DiagnosisAction } from './diagnosis-actions';
import { formatMessage, isMessageCode, msg, type LabMessage } from '../messages';

/** Words for a diagnosis in English and Chinese, shared by the card, the CLI and the HTML report. */
export type TextLocale = 'en' | 'zh-CN';

const pct = (x: number) => `${Math.round(x * 100)} %`;
const pts = (x: number) => `${Math.round(x)}`;
const num = (x: number) => (Math.abs(x) >= 100 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : Number(x.toPrecision(3)).toString());
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} %`;

/** The kind's title and summary (texts in src/shared/messages/catalog/diagnosis.ts). */
export function kindMessages(kind: DiagnosisKind): { title: LabMessage; summary: LabMessage } {
  return { title: msg(`diagnosis.kind.${kind}.title`), summary: msg(`diagnosis.kind.${kind}.summary`) };
}

export function kindText(kind: DiagnosisKind, locale: TextLocale = 'en'): { title: string; summary: string } {
  const m = kindMessages(kind);
  return { title: formatMessage(m.title, locale), summary: formatMessage(m.summary, locale) };
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

/** An action's label as a message: numbers formatted, preset and field names as messages of their own. */
export function actionMessage(a: DiagnosisAction): LabMessage {
  const d = a.detail;
  const v = (k: string): string => {
    const x = d[k];
    return typeof x === 'number' ? num(x) : String(x ?? '');
  };
  const preset = (k: string): LabMessage => msg(`diagnosis.preset.${String(d[k]) as 'none' | 'light' | 'standard' | 'strong'}`);
  switch (a.id) {
    case 'more-augmentation':
      return msg('diagnosis.action.more-augmentation', { from: preset('from'), to: preset('to') });
    case 'more-dropout': {
      const where = d.where === 'hidden' || d.where === 'blocks' ? d.where : 'head';
      return msg(`diagnosis.action.more-dropout.${where}`, { to: v('to') });
    }
    case 'stop-earlier':
      return msg('diagnosis.action.stop-earlier', { patience: v('patience') });
    case 'more-weight-decay':
      return msg('diagnosis.action.more-weight-decay', { to: v('to') });
    case 'bigger-model':
      return msg('diagnosis.action.bigger-model');
    case 'higher-lr':
    case 'much-higher-lr':
      return msg('diagnosis.action.higher-lr', { from: v('from'), to: v('to') });
    case 'lower-lr':
      return msg('diagnosis.action.lower-lr', { from: v('from'), to: v('to') });
    case 'less-regularisation': {
      const fields = v('fields').split(', ').filter(Boolean);
      return msg('diagnosis.action.less-regularisation', { fields: fields.map((f) => (isMessageCode(`diagnosis.field.${f}`) ? { code: `diagnosis.field.${f}` } : f)) });
    }
    case 'train-longer':
      return msg('diagnosis.action.train-longer', { from: v('from'), to: v('to') });
    case 'switch-to-adam':
      return msg('diagnosis.action.switch-to-adam', { from: v('from') });
    case 'clip-gradients':
      return msg('diagnosis.action.clip-gradients', { to: v('to') });
    case 'warmup':
      return msg('diagnosis.action.warmup', { epochs: v('epochs') });
    case 'lr-decay':
      return msg('diagnosis.action.lr-decay');
  }
}

export function actionText(a: DiagnosisAction, locale: TextLocale = 'en'): string {
  return formatMessage(actionMessage(a), locale);
}

/** One paragraph for the CLI and logs. */
export function diagnosisText(d: { kind: DiagnosisKind; evidence: readonly Evidence[]; actions: readonly DiagnosisAction[] }, locale: TextLocale = 'en'): string {
  const k = kindText(d.kind, locale);
  const lines = [`${k.title}: ${k.summary}`, ...d.evidence.map((e) => `  • ${evidenceText(e, locale)}`)];
  if (d.actions.length) lines.push(locale === 'zh-CN' ? '建议：' : 'Try:', ...d.actions.map((a) => `  → ${actionText(a, locale)}`));
  return lines.join('\n');
}
