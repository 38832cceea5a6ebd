/** lab rename <run> <new name>: the same runs.rename call as the app's rename button. */
import type { CliContext } from '../context';
import { UsageError } from '../context';

export async function renameCommand(ctx: CliContext, positionals: string[]): Promise<void> {
  const [runId, ...words] = positionals;
  // Unquoted words are joined, so `lab rename ID adam baseline` works as well as `lab rename ID "adam baseline"`.
  const name = words.join(' ');
  // A blank or over-long name reaches the engine, which names the field in its error (exit 1).
  if (!runId || !words.length) throw new UsageError('lab rename needs a run id and the new name, e.g. lab rename 20260101-120000-abc123 "adam baseline".');
  const run = await ctx.lab.call('runs.rename', runId, name);
  ctx.out.emit({ type: 'result', run });
  ctx.out.text(`Run ${run.id} is now named "${run.name}".`);
}
