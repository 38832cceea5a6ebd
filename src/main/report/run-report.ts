/**
 * A run as one self-contained HTML file: settings, curves, confusion matrix and diagnosis. Everything is inline
 * (CSS, SVG charts), so the file opens offline, can be mailed, and loads nothing from anywhere.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunDetail } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { diagnose } from '../../shared/analysis/diagnosis';
import { actionText, evidenceText, kindText, type TextLocale } from '../../shared/analysis/diagnosis-text';
import { flattenConfig, runNumbers } from '../../shared/analysis/compare';
import { mostConfusedPairs } from '../../shared/analysis/evaluation';
import { confusionChart, curveChart, lrChart } from './report-charts';

const T = {
  en: {
    report: 'Run report',
    dataset: 'Dataset',
    status: 'Status',
    backend: 'Backend',
    created: 'Created',
    finished: 'Finished',
    epochs: 'Epochs',
    bestEpoch: 'Best epoch',
    bestValAcc: 'Best val accuracy',
    bestValLoss: 'Best val loss',
    testAcc: 'Test accuracy',
    time: 'Training time',
    speed: 'Images/s',
    diagnosis: 'Diagnosis',
    actions: 'What to try',
    curves: 'Curves',
    loss: 'Loss',
    accuracy: 'Accuracy',
    lr: 'Learning rate',
    train: 'train (batch)',
    smoothed: 'train (smoothed 0.6)',
    trainEpoch: 'train (epoch)',
    val: 'validation',
    best: 'best',
    epoch: 'epoch',
    evaluation: 'Evaluation',
    confusion: 'Confusion matrix (colour: row share, numbers: counts)',
    actual: 'actual',
    predicted: 'predicted',
    perClass: 'Per class',
    cls: 'Class',
    precision: 'Precision',
    recall: 'Recall',
    f1: 'F1',
    support: 'Images',
    confused: 'Most confused',
    settings: 'Settings',
    error: 'Error',
    noEval: 'No evaluation recorded for this run.',
    noCurves: 'No epochs recorded yet.',
    generated: 'Generated',
  },
  'zh-CN': {
    report: '训练报告',
    dataset: '数据集',
    status: '状态',
    backend: '后端',
    created: '创建',
    finished: '完成',
    epochs: '轮次',
    bestEpoch: '最佳轮次',
    bestValAcc: '最佳验证准确率',
    bestValLoss: '最佳验证损失',
    testAcc: '测试准确率',
    time: '训练时间',
    speed: '图像/秒',
    diagnosis: '诊断',
    actions: '建议尝试',
    curves: '曲线',
    loss: '损失',
    accuracy: '准确率',
    lr: '学习率',
    train: '训练（每批）',
    smoothed: '训练（平滑 0.6）',
    trainEpoch: '训练（每轮）',
    val: '验证',
    best: '最佳',
    epoch: '轮',
    evaluation: '评估',
    confusion: '混淆矩阵（颜色：行占比，数字：数量）',
    actual: '真实',
    predicted: '预测',
    perClass: '各类别',
    cls: '类别',
    precision: '精确率',
    recall: '召回率',
    f1: 'F1',
    support: '图像数',
    confused: '最易混淆',
    settings: '设置',
    error: '错误',
    noEval: '此运行没有评估结果。',
    noCurves: '还没有记录任何轮次。',
    generated: '生成于',
  },
} as const;

export interface ReportOptions {
  locale?: TextLocale;
  /** Fixed clock for reproducible output (tests). */
  now?: Date;
}

export function renderRunReport(detail: RunDetail, opts: ReportOptions = {}): string {
  const locale = opts.locale ?? 'en';
  const t = T[locale];
  const n = runNumbers(detail);
  const d = diagnose({ epochs: detail.epochLogs, batches: detail.batchLogs, config: detail.config });
  const kind = kindText(d.kind, locale);
  const hasCurves = detail.epochLogs.length > 0 || detail.batchLogs.length > 0;
  const curveLabels = { train: t.train, smoothed: t.smoothed, trainEpoch: t.trainEpoch, val: t.val, best: t.best, epoch: t.epoch };

  const facts: [string, string][] = [
    [t.dataset, detail.datasetName || detail.datasetId],
    [t.status, detail.status],
    [t.backend, detail.backend],
    [t.created, detail.createdAt],
    ...(detail.finishedAt ? ([[t.finished, detail.finishedAt]] as [string, string][]) : []),
    [t.epochs, `${n.epochsDone} / ${detail.epochs}`],
  ];
  const numbers: [string, string][] = [
    [t.bestEpoch, n.bestEpoch === null ? '—' : String(n.bestEpoch)],
    [t.bestValAcc, fmtPct(n.bestValAccuracy)],
    [t.bestValLoss, fmtNum(n.bestValLoss)],
    [t.testAcc, fmtPct(n.testAccuracy)],
    [t.time, fmtDuration(n.trainingTimeS)],
    [t.speed, n.meanImagesPerS === null ? '—' : n.meanImagesPerS.toFixed(0)],
  ];

  const ev = detail.evaluation;
  const body = [
    `<header><h1>${esc(t.report)}: ${esc(detail.name || detail.id)}</h1><p class="muted">${esc(detail.id)}</p>`,
    `<dl class="facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl></header>`,
    detail.error ? `<section class="error"><h2>${esc(t.error)}</h2><p><code>${esc(detail.error.code)}</code> ${esc(detail.error.message)}</p></section>` : '',
    `<section class="numbers">${numbers.map(([k, v]) => `<div class="num"><span class="v">${esc(v)}</span><span class="k">${esc(k)}</span></div>`).join('')}</section>`,
    `<section class="diagnosis kind-${d.kind}"><h2>${esc(t.diagnosis)}: ${esc(kind.title)}</h2><p>${esc(kind.summary)}</p>`,
    d.evidence.length ? `<ul>${d.evidence.map((e) => `<li>${esc(evidenceText(e, locale))}</li>`).join('')}</ul>` : '',
    d.actions.length ? `<h3>${esc(t.actions)}</h3><ul class="actions">${d.actions.map((a) => `<li>${esc(actionText(a, locale))}</li>`).join('')}</ul>` : '',
    `</section>`,
    `<section><h2>${esc(t.curves)}</h2>`,
    hasCurves
      ? [
          `<figure>${curveChart('loss', detail.epochLogs, detail.batchLogs, detail.bestEpoch, { ...curveLabels, title: t.loss })}</figure>`,
          `<figure>${curveChart('accuracy', detail.epochLogs, detail.batchLogs, detail.bestEpoch, { ...curveLabels, title: t.accuracy })}</figure>`,
          `<figure>${lrChart(detail.epochLogs, detail.batchLogs, { title: t.lr, epoch: t.epoch })}</figure>`,
          epochTable(detail, t),
        ].join('')
      : `<p class="muted">${esc(t.noCurves)}</p>`,
    `</section>`,
    `<section><h2>${esc(t.evaluation)}${ev ? ` (${esc(ev.split)}: ${fmtPct(ev.accuracy)})` : ''}</h2>`,
    ev
      ? [
          `<figure>${confusionChart(ev, { title: t.confusion, actual: t.actual, predicted: t.predicted })}</figure>`,
          `<h3>${esc(t.perClass)}</h3><table><thead><tr><th>${esc(t.cls)}</th><th>${esc(t.precision)}</th><th>${esc(t.recall)}</th><th>${esc(t.f1)}</th><th>${esc(t.support)}</th></tr></thead><tbody>`,
          ev.perClass
            .map((c) => `<tr><td>${esc(c.name)}</td><td>${fmtPct(c.precision)}</td><td>${fmtPct(c.recall)}</td><td>${fmtPct(c.f1)}</td><td>${c.support}</td></tr>`)
            .join(''),
          `</tbody></table>`,
          confusedList(ev, t.confused),
        ].join('')
      : `<p class="muted">${esc(t.noEval)}</p>`,
    `</section>`,
    `<section><h2>${esc(t.settings)}</h2><table class="settings"><tbody>`,
    Object.entries(flattenConfig(detail.config))
      .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(String(v))}</td></tr>`)
      .join(''),
    `</tbody></table></section>`,
    `<footer class="muted">${esc(t.generated)} ${esc((opts.now ?? new Date()).toISOString())}</footer>`,
  ].join('\n');

  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(t.report)}: ${esc(detail.name || detail.id)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Writes the report (creating the folder) and returns the absolute path written. */
export async function writeRunReport(detail: RunDetail, outFile: string, opts: ReportOptions = {}): Promise<string> {
  const abs = path.resolve(outFile);
  if (!/\.html?$/i.test(abs)) {
    throw new LabError('BAD_ARGUMENT', msg('error.report.notHtml', { outFile }), { outFile });
  }
  try {
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, renderRunReport(detail, opts), 'utf8');
  } catch (err) {
    throw new LabError('UNREADABLE', msg('error.report.writeFailed', { path: abs, detail: (err as Error).message }), { outFile: abs });
  }
  return abs;
}

function epochTable(detail: RunDetail, t: (typeof T)[TextLocale]): string {
  const rows = detail.epochLogs
    .map(
      (e) =>
        `<tr${e.epoch === detail.bestEpoch ? ' class="best"' : ''}><td>${e.epoch}</td><td>${fmtNum(e.loss)}</td><td>${fmtPct(e.accuracy)}</td><td>${fmtNum(e.valLoss)}</td><td>${fmtPct(e.valAccuracy)}</td><td>${fmtNum(e.lr)}</td><td>${e.durationS.toFixed(1)} s</td></tr>`,
    )
    .join('');
  return `<details><summary>${esc(t.epochs)}</summary><table><thead><tr><th>${esc(t.epoch)}</th><th>${esc(t.loss)}</th><th>${esc(t.accuracy)}</th><th>val ${esc(t.loss)}</th><th>val ${esc(t.accuracy)}</th><th>${esc(t.lr)}</th><th>s</th></tr></thead><tbody>${rows}</tbody></table></details>`;
}

function confusedList(ev: NonNullable<RunDetail['evaluation']>, title: string): string {
  const pairs = mostConfusedPairs(ev, 5);
  if (!pairs.length) return '';
  return `<h3>${esc(title)}</h3><ul>${pairs.map((p) => `<li>${esc(p.actual)} → ${esc(p.predicted)}: ${p.count} (${fmtPct(p.rate)})</li>`).join('')}</ul>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function fmtPct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)} %`;
}

function fmtNum(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(4);
}

function fmtDuration(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

const CSS = `
:root{color-scheme:light dark;--fg:#1d2129;--bg:#fff;--muted:#6b7280;--line:#e5e7eb;--card:#f8fafc;--accent:#5470c6}
@media (prefers-color-scheme:dark){:root{--fg:#e5e7eb;--bg:#15171c;--muted:#9ca3af;--line:#2d3139;--card:#1c1f26}figure svg text{fill:var(--fg)}}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif}
main{max-width:960px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0}h2{font-size:17px;margin:28px 0 8px}h3{font-size:14px;margin:16px 0 6px}
.muted{color:var(--muted)}
.facts{display:flex;flex-wrap:wrap;gap:8px 24px;margin:12px 0}.facts dt{color:var(--muted);font-size:12px}.facts dd{margin:0}
.numbers{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:8px}
.num{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px;display:flex;flex-direction:column}
.num .v{font-size:20px;font-weight:600}.num .k{font-size:12px;color:var(--muted)}
.diagnosis{border-left:4px solid var(--accent);background:var(--card);padding:4px 16px 12px;margin-top:20px;border-radius:4px}
.kind-overfitting,.kind-diverged{border-color:#ee6666}.kind-underfitting,.kind-lr-too-low{border-color:#fac858}.kind-good-fit{border-color:#3ba272}
.error{border:1px solid #ee6666;border-radius:8px;padding:4px 16px;margin-top:16px}
figure{margin:8px 0;overflow-x:auto}svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left}
tr.best td{font-weight:600}.settings th{font-weight:normal;color:var(--muted);width:45%;font-family:ui-monospace,monospace}
footer{margin-top:32px;font-size:12px}
`;
