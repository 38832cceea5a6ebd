/** Listing, reading, deleting datasets and paging through their samples (filters over the in-memory manifest). */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { DatasetSummary, LayoutPreview, SampleItem, SamplePage, SampleQuery } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { english, msg, withMsg } from '../../shared/messages';
import { safeId, type Workspace } from '../workspace';
import { readManifest, readSummary, removeDatasetDir, type Manifest } from './manifest';
import { scanPaths } from './scan';

/** What an import of these paths would find: layout, classes, file count, before anything is read. */
export async function inspectFolders(paths: string[]): Promise<LayoutPreview> {
  if (!paths.length) throw new LabError('BAD_ARGUMENT', msg('error.inspect.noPaths'));
  const scan = await scanPaths(paths, { stats: false });
  const classes = [...new Set(scan.entries.map((e) => e.className))].sort();
  const warnings = [...scan.warnings];
  if (scan.issues.length) warnings.push(msg('dataset.warning.unreadableEntries', { count: scan.issues.length, path: scan.issues[0]!.path }));
  if (scan.entries.length === 0) warnings.push(msg('dataset.warning.noFiles', { paths: paths.join(', ') }));
  else if (classes.length === 1) warnings.push(msg('dataset.warning.oneClass', { name: classes[0]! }));
  return { paths: scan.roots.map((r) => r.path), layout: scan.layout, classes, files: scan.entries.length, warnings: warnings.map(english), warningMsgs: warnings };
}

/** Every imported dataset, most recently updated first. */
export async function listDatasets(ws: Workspace): Promise<DatasetSummary[]> {
  const names = await readdir(ws.datasets).catch(() => [] as string[]);
  const out: DatasetSummary[] = [];
  for (const name of names) {
    try {
      safeId(name);
      out.push(await readSummary(ws, name));
    } catch {
      // a half-written or foreign folder: not a dataset
    }
  }
  return out.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : a.updatedAt > b.updatedAt ? -1 : 0));
}

function checkId(id: string): void {
  try {
    safeId(id);
  } catch {
    throw new LabError('BAD_ARGUMENT', msg('error.dataset.badId', { id }));
  }
}

export async function getDataset(ws: Workspace, id: string): Promise<DatasetSummary> {
  checkId(id);
  await readManifest(ws, id); // NOT_FOUND with a clear message if absent
  return readSummary(ws, id);
}

/** Deletes the workspace copy only (manifest, caches, thumbnails); the user's images are untouched. */
export async function deleteDataset(ws: Workspace, id: string): Promise<{ deleted: boolean }> {
  checkId(id);
  return { deleted: await removeDatasetDir(ws, id) };
}

const lowerNames = new WeakMap<Manifest, string[]>();

/** File names in lower case, once per manifest version (searching 100k names then costs one includes() each). */
function namesOf(m: Manifest): string[] {
  let names = lowerNames.get(m);
  if (!names) lowerNames.set(m, (names = m.items.map((it) => path.basename(it.path).toLowerCase())));
  return names;
}

type SortKey = NonNullable<SampleQuery['sort']>;
const orders = new WeakMap<Manifest, Map<SortKey, Int32Array>>();

/** Item indices in the requested order, computed once per manifest version (100k items: a few ms, then free). */
function sortedOrder(m: Manifest, sort: SortKey): Int32Array | null {
  if (sort === 'index') return null;
  let byKey = orders.get(m);
  if (!byKey) orders.set(m, (byKey = new Map()));
  const hit = byKey.get(sort);
  if (hit) return hit;
  const items = m.items;
  const names = sort === 'name' ? namesOf(m) : null;
  const num = (i: number): number => {
    const it = items[i]!;
    return sort === 'size' ? it.size : sort === 'width' ? (it.width ?? -1) : (it.height ?? -1);
  };
  const order = Int32Array.from(items.keys()).sort((a, b) => {
    if (sort === 'class') return items[a]!.className < items[b]!.className ? -1 : items[a]!.className > items[b]!.className ? 1 : a - b;
    if (names) return names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : a - b;
    return num(a) - num(b) || a - b;
  });
  byKey.set(sort, order);
  return order;
}

export async function querySamples(ws: Workspace, q: SampleQuery): Promise<SamplePage> {
  checkId(q.datasetId);
  const m = await readManifest(ws, q.datasetId);
  const search = q.search?.trim().toLowerCase() || null;
  const offset = Math.max(0, q.offset ?? 0);
  const limit = Math.max(1, Math.min(5000, q.limit ?? 200));
  const items: SampleItem[] = [];
  let total = 0;
  const list = m.items;
  const order = sortedOrder(m, q.sort ?? 'index');
  const names = search !== null ? namesOf(m) : null;
  const n = list.length;
  for (let k = 0; k < n; k++) {
    const i = order ? order[q.desc ? n - 1 - k : k]! : q.desc ? n - 1 - k : k;
    const it = list[i]!;
    if (q.className !== undefined && it.className !== q.className) continue;
    if (q.split !== undefined && it.split !== q.split) continue;
    if (q.status !== undefined && it.status !== q.status) continue;
    if (search !== null && !names![i]!.includes(search)) continue;
    if (total >= offset && items.length < limit) {
      const s: SampleItem = { index: i, name: path.basename(it.path), path: it.path, className: it.className, split: it.split, status: it.status };
      if (it.width !== null) s.width = it.width;
      if (it.height !== null) s.height = it.height;
      if (it.className !== it.labelledAs) s.labelledAs = it.labelledAs;
      const problem = it.check ?? it.relation;
      if (problem) s.problem = { reason: problem.reason, message: problem.message, ...withMsg(problem.msg) };
      if (it.relation) s.duplicateOf = it.relation.other;
      items.push(s);
    }
    total++;
  }
  return { total, items };
}
