/** "A run id or an export folder" → a model with its labels and preprocessing. */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { loadExportedModel, type LoadedModel } from '../export/load-exported';
import { preprocessingFor } from '../models/preprocessing';
import { loadRunModel, readRun } from '../runs';
import type { Workspace } from '../workspace';

export interface ResolvedModel extends Omit<LoadedModel, 'kind'> {
  kind: LoadedModel['kind'] | 'run';
  /** Where it came from: the run id or the export folder. */
  source: string;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

export async function resolvePredictModel(ws: Workspace, ref: string): Promise<ResolvedModel> {
  const asPath = path.resolve(ref);
  const looksLikePath = ref.includes('/') || ref.includes('\\') || ref.startsWith('.');
  if (isDir(asPath) && (looksLikePath || existsSync(path.join(asPath, 'model.json')))) {
    return { ...(await loadExportedModel(asPath)), source: asPath };
  }
  let detail;
  try {
    detail = await readRun(ws, ref);
  } catch (err) {
    if (looksLikePath) throw new LabError('NOT_FOUND', msg('error.predict.modelFolderMissing', { path: asPath }), { path: asPath });
    throw new LabError('NOT_FOUND', msg('error.predict.badRef', { ref }), { ref, cause: (err as Error).message });
  }
  if (!detail.hasModel) throw new LabError('NOT_FOUND', msg('error.run.noModel', { name: detail.name }));
  const model = await loadRunModel(ws, ref);
  return { model, labels: detail.classes, preprocessing: preprocessingFor(detail.config), kind: 'run', source: ref };
}
