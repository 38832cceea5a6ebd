/** `lab predict --heatmap [--out dir]`: the folder is checked before predicting; overlays are written after. */
import type { Prediction } from '../../../shared/dto';
import { formatMessage, msg } from '../../../shared/messages';
import { heatmapFolder, writeHeatmaps } from '../../explain/write-heatmaps';
import type { CliContext } from '../context';
import { UsageError } from '../context';

export interface HeatmapOutput {
  dir: string;
  /** Writes the overlays, replaces each data URL in the results by its file, and returns the lines to print. */
  write(preds: Prediction[]): Promise<string>;
}

export async function prepareHeatmaps(ctx: CliContext, flags: { heatmap?: boolean; out?: string }): Promise<HeatmapOutput | null> {
  if (!flags.heatmap) {
    if (flags.out) throw new UsageError('lab predict: --out names the folder for --heatmap; add --heatmap, or leave --out out.');
    return null;
  }
  const dir = await heatmapFolder(ctx.service.ctx.ws, flags.out);
  return {
    dir,
    async write(preds) {
      const files = await writeHeatmaps(dir, preds);
      let i = 0;
      for (const p of preds) if (p.heatmap) p.heatmap = { ...p.heatmap, heat: '', overlay: files[i++] ?? '' };
      const problems = preds
        .filter((p) => p.heatmapError)
        .map((p) => `\n${p.path}: ${p.heatmapError!.msg ? formatMessage(p.heatmapError!.msg, ctx.locale) : p.heatmapError!.message}`);
      return `\n${formatMessage(msg('explain.written', { n: files.length, dir }), ctx.locale)}${problems.join('')}`;
    },
  };
}
