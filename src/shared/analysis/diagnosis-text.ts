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

/** One piece of evidence as a message (texts in src/shared/messages/catalog/diagnosis.ts). */
export function evidenceMessage(e: Evidence): LabMessage {
  switch (e.code) {
    case 'few-epochs':
      return msg('diagnosis.evidence.few-epochs', { have: e.have, need: e.need });
    case 'non-finite': {
      const what = msg(e.metric === 'loss' ? 'diagnosis.metric.loss' : 'diagnosis.metric.valLoss');
      return e.batch === null
        ? msg('diagnosis.evidence.non-finite.epoch', { what, epoch: e.epoch })
        : msg('diagnosis.evidence.non-finite.batch', { what, epoch: e.epoch, batch: e.batch });
    }
    case 'exploding':
      return msg('diagnosis.evidence.exploding', { from: num(e.from), to: num(e.to), factor: e.factor.toFixed(1), epoch: e.epoch });
    case 'flat-loss':
      return msg('diagnosis.evidence.flat-loss', { from: num(e.from), to: num(e.to), change: signed(e.changePct), epochs: e.epochs });
    case 'gap': {
      const p = { trainAcc: pct(e.trainAcc), valAcc: pct(e.valAcc), gap: pts(e.gapPts) };
      return e.since === null ? msg('diagnosis.evidence.gap', p) : msg('diagnosis.evidence.gap.since', { ...p, since: e.since });
    }
    case 'val-loss-rising':
      return msg('diagnosis.evidence.val-loss-rising', { bestEpoch: e.bestEpoch, best: num(e.best), last: num(e.last), rise: signed(e.risePct) });
    case 'train-loss-falling':
      return msg('diagnosis.evidence.train-loss-falling', { from: num(e.from), to: num(e.to), change: signed(e.changePct) });
    case 'low-train-acc':
      return e.valAcc === null
        ? msg('diagnosis.evidence.low-train-acc', { trainAcc: pct(e.trainAcc) })
        : msg('diagnosis.evidence.low-train-acc.val', { trainAcc: pct(e.trainAcc), valAcc: pct(e.valAcc) });
    case 'slow-progress':
      return msg('diagnosis.evidence.slow-progress', { change: signed(e.changePct), epochs: e.lastEpochs });
    case 'curves-together':
      return msg('diagnosis.evidence.curves-together', { trainAcc: pct(e.trainAcc), valAcc: pct(e.valAcc), gap: pts(e.gapPts) });
    case 'val-still-improving':
      return msg('diagnosis.evidence.val-still-improving', { from: num(e.from), to: num(e.to) });
  }
}

export function evidenceText(e: Evidence, locale: TextLocale = 'en'): string {
  return formatMessage(evidenceMessage(e), locale);
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
  if (d.actions.length) lines.push(formatMessage(msg('diagnosis.try'), locale), ...d.actions.map((a) => `  → ${actionText(a, locale)}`));
  return lines.join('\n');
}
