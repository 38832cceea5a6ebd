/** `lab backbones`: the bundled backbone and the catalogue with download states; `lab backbones fetch <id>` downloads one. */
import { randomUUID } from 'node:crypto';
import { formatMessage, msg } from '../../../shared/messages';
import type { BackboneInfo } from '../../../shared/dto';
import { formatBytes } from '../../models/backbone-catalog';
import { UsageError, type CliContext } from '../context';

function table(ctx: CliContext, list: BackboneInfo[]): string {
  const f = (m: ReturnType<typeof msg>): string => formatMessage(m, ctx.locale);
  const rows = list.map((b) => {
    const size = b.approxBytes > 0 ? `~${formatBytes(b.approxBytes)}` : '';
    return `  ${b.backbone.padEnd(38)} ${f(msg(`backbone.state.${b.state}`)).padEnd(16)} ${`${b.inputSize}×${b.inputSize}×${b.channels}`.padEnd(12)} ${size.padEnd(10)} ${b.name[ctx.locale]}`;
  });
  return [f(msg('backbone.list.header')), ...rows, f(msg('backbone.list.hint'))].join('\n');
}

export async function backbonesCommand(ctx: CliContext, positionals: string[]): Promise<void> {
  const [sub, id, ...extra] = positionals;
  if (sub === undefined) {
    const list = await ctx.lab.call('backbones.list');
    ctx.out.emit({ type: 'result', backbones: list });
    ctx.out.text(table(ctx, list));
    return;
  }
  if (sub !== 'fetch' || !id || extra.length > 0) throw new UsageError(formatMessage(msg('backbone.usage'), ctx.locale));
  const jobId = randomUUID();
  let tenth = '';
  const off = ctx.lab.onEvent((e) => {
    if (e.type !== 'backbone.progress' || e.jobId !== jobId) return;
    if (ctx.json) {
      ctx.out.emit({ type: 'progress', phase: 'download', done: e.done, total: e.total });
      return;
    }
    // A line per tenth (and when the expected total changes: model.json tells the weights' exact size).
    const t = `${e.total > 0 ? Math.floor((10 * e.done) / e.total) : 0}/${e.total}`;
    if (t === tenth) return;
    tenth = t;
    const m = msg('backbone.downloadProgress', { id: e.id, done: formatBytes(e.done), total: formatBytes(e.total) });
    ctx.out.emit({ type: 'info', message: formatMessage(m, 'en'), msg: m });
  });
  // Ctrl-C cancels: what is downloaded stays in backbones/<id>.partial/ and the next fetch resumes it.
  const onSigint = (): void => void ctx.lab.call('backbones.cancelFetch', jobId);
  process.once('SIGINT', onSigint);
  try {
    const info = await ctx.lab.call('backbones.fetch', { id, jobId });
    ctx.out.emit({ type: 'result', backbone: info });
    ctx.out.text(table(ctx, [info]));
  } finally {
    process.off('SIGINT', onSigint);
    off();
  }
}
