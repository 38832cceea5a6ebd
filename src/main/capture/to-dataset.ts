/**
 * A capture becomes a dataset through the ordinary import (its images folder is a folder of class subfolders), so it
 * trains like any other. Merging with an imported dataset makes a NEW dataset over both folders: the user's images
 * are referenced where they are (never copied, never written to) and the captured frames beside them.
 */
import type { DatasetSummary } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { getDataset, importDataset, type ImportOptions } from '../datasets';
import type { Workspace } from '../workspace';
import { checkName } from './frames';
import { capturePaths, requireLedger, serialized, writeLedger } from './ledger';

export async function captureToDataset(
  ws: Workspace,
  req: { capture: string; mergeWith?: string | undefined },
  opts: ImportOptions = {},
): Promise<DatasetSummary> {
  const capture = checkName(req.capture, 'capture');
  const ledger = await requireLedger(ws, capture);
  const images = capturePaths(ws, capture).images;
  if (req.mergeWith) {
    const other = await getDataset(ws, req.mergeWith);
    return importDataset(ws, { paths: [...other.paths.filter((p) => p !== images), images], name: `${other.name} + ${capture}` }, opts);
  }
  const classes = new Set(ledger.frames.map((f) => f.className));
  if (classes.size < 2) throw new LabError('TOO_FEW_CLASSES', msg('capture.tooFewClasses', { name: capture, n: classes.size }), { capture });
  const summary = await importDataset(ws, { paths: [images], name: capture }, opts);
  await serialized(capture, async () => {
    const now = await requireLedger(ws, capture);
    if (now.datasetId !== summary.id) await writeLedger(ws, { ...now, datasetId: summary.id });
  });
  return summary;
}
