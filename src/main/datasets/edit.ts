/** Exclusions and new labels made inside the lab: stored per file path in the workspace, never in the user's folder. */
import type { DatasetSummary, SampleEdit } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { english, msg } from '../../shared/messages';
import type { Workspace } from '../workspace';
import { fingerprintOf, readManifest, writeManifest, type Manifest } from './manifest';
import { readEdits, settle, writeEdits } from './settle';
import { computeStats } from './stats';

/**
 * Apply edits and rebuild the summary without reading any image. Refused (nothing saved) when the result would be
 * no images or a single class. Other images keep their splits unless their class's counts require a move; the decoded caches follow the new fingerprint.
 */
export async function editSamples(ws: Workspace, datasetId: string, changes: SampleEdit[]): Promise<DatasetSummary> {
  const m = await readManifest(ws, datasetId);
  const edits = await readEdits(ws, datasetId);
  for (const c of changes) {
    const it = m.items[c.index];
    if (!it) throw new LabError('BAD_ARGUMENT', msg('error.dataset.noImageNumber', { id: datasetId, index: c.index, count: m.items.length }));
    const e = { ...edits[it.path] };
    if (c.excluded === true) e.excluded = true;
    else if (c.excluded === false) delete e.excluded;
    if (c.className === null || c.className === it.labelledAs) delete e.className;
    else if (c.className !== undefined) e.className = c.className;
    if (e.excluded || e.className !== undefined) edits[it.path] = e;
    else delete edits[it.path];
  }
  // Work on copies: a refused edit must leave the cached manifest as it was.
  const items = m.items.map((it) => ({ ...it }));
  const previousSplits = new Map(m.items.map((it) => [it.path, it.split]));
  const settled = settle(items, { ratios: m.split, edits, paths: m.summary.paths, scanIssues: m.scanIssues, scanWarnings: m.scanWarnings, previousSplits });
  const summary: DatasetSummary = {
    ...m.summary,
    classes: settled.classes,
    images: settled.usable,
    problems: settled.problems,
    warnings: settled.warnings.map(english),
    warningMsgs: settled.warnings,
    updatedAt: new Date().toISOString(),
  };
  const next: Manifest = { ...m, summary, items, fingerprint: fingerprintOf(items) };
  summary.stats = computeStats(next);
  await writeEdits(ws, datasetId, edits);
  await writeManifest(ws, next);
  return summary;
}
