import { defineMessages } from '../define';

/** Pieces shared by several areas, and the CLI's own words (prefix `cli.`). */
export const commonMessages = defineMessages(
  {
    /** An English sentence from a file written before messages existed: shown as is. */
    'common.verbatim': '{text}',
    /** Several sentences in a row. */
    'common.sentences': '{items:sentences}',
    'common.none': 'none',
    'common.yes': 'yes',
    'common.no': 'no',
    'cli.warning': 'warning: {text}',
    'cli.error': 'error: {text}',
    'cli.step': 'Step {step} · {title}: {verdict}',
    'cli.verdict.pass': 'PASS',
    'cli.verdict.warn': 'WARN',
    'cli.verdict.fail': 'FAIL',
    'cli.runs': 'runs: {ids}',
    'cli.doctor.backend': 'Training backend: {label} ({name}, {device}, {threads} {threads|thread|threads})',
    'cli.doctor.tried': 'Backends tried, fastest first:',
    'cli.doctor.checks': 'Checks:',
  },
  {
    'common.verbatim': '{text}',
    'common.sentences': '{items:sentences}',
    'common.none': '无',
    'common.yes': '是',
    'common.no': '否',
    'cli.warning': '警告：{text}',
    'cli.error': '错误：{text}',
    'cli.step': '第 {step} 步 · {title}：{verdict}',
    'cli.verdict.pass': '通过',
    'cli.verdict.warn': '请检查',
    'cli.verdict.fail': '先修复',
    'cli.runs': '训练：{ids}',
    'cli.doctor.backend': '训练后端：{label}（{name}，{device}，{threads} 个线程）',
    'cli.doctor.tried': '尝试过的后端（最快的在前）：',
    'cli.doctor.checks': '检查：',
  },
);
