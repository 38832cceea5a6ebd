/**
 * The backbones a workspace can use: the bundled MobileNetV2, the built-in catalogue (backbone-catalog.ts) and
 * entries the user adds in backbones/catalog.json, each with its download state. `catalog:<id>` resolves to the
 * downloaded folder, downloading it first when needed (backbone-download.ts: resume, progress, cancel, checksums).
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { TrainConfig } from '../../shared/config';
import type { BackboneInfo } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg, type LabMessage } from '../../shared/messages';
import type { Workspace } from '../workspace';
import { BUILTIN_CATALOG, CATALOG_PREFIX, catalogId, formatBytes, isCatalogBackbone, type CatalogEntry } from './backbone-catalog';
import { backbonesDir, CHECKSUM_FILE, downloadedBackboneDir, ensureBackbone, type DownloadOptions } from './backbone-download';
import { BUILTIN_MOBILENET } from './preprocessing';

const UserEntrySchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i),
  name: z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) }).optional(),
  /** the folder holding model.json (or model.json's own URL) */
  url: z.string().url(),
  inputSize: z.number().int().min(8).max(1024).default(224),
  channels: z.union([z.literal(1), z.literal(3)]).default(3),
  defaultCut: z.string().min(1).optional(),
  approxBytes: z.number().int().min(0).default(0),
  files: z.array(z.object({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(), size: z.number().int().min(0).optional() })).optional(),
});
const UserCatalogSchema = z.object({ entries: z.array(UserEntrySchema) });

/** The workspace's own catalogue file: entries added (or built-in ones overridden, e.g. with checksums) by the user. */
export function userCatalogFile(ws: Workspace): string {
  return path.join(backbonesDir(ws), 'catalog.json');
}

async function readUserCatalog(ws: Workspace): Promise<CatalogEntry[]> {
  const file = userCatalogFile(ws);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  let parsed: z.infer<typeof UserCatalogSchema>;
  try {
    parsed = UserCatalogSchema.parse(JSON.parse(text));
  } catch (err) {
    const detail = err instanceof z.ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message;
    throw new LabError('BAD_CONFIG', msg('backbone.badCatalogFile', { file, detail }));
  }
  return parsed.entries.map((e) => ({
    id: e.id,
    name: e.name ?? { en: e.id, 'zh-CN': e.id },
    baseUrl: new URL('.', e.url.endsWith('/') ? e.url : e.url.endsWith('.json') ? e.url : `${e.url}/`).toString(),
    inputSize: e.inputSize,
    channels: e.channels,
    // [-1, 1] for every catalog: backbone unless the run's config sets model.inputNormalization (preprocessing.ts).
    scaling: 'symmetric',
    ...(e.defaultCut ? { defaultCut: e.defaultCut } : {}),
    approxBytes: e.approxBytes,
    source: file,
    ...(e.files ? { files: e.files.map((f) => ({ path: f.path, ...(f.sha256 ? { sha256: f.sha256 } : {}), ...(f.size !== undefined ? { size: f.size } : {}) })) } : {}),
  }));
}

/** Built-in entries, then the user's (a user entry with a built-in id replaces it). */
export async function catalogEntries(ws: Workspace): Promise<(CatalogEntry & { userAdded: boolean })[]> {
  const user = await readUserCatalog(ws);
  const ids = new Set(user.map((e) => e.id));
  return [...BUILTIN_CATALOG.filter((e) => !ids.has(e.id)).map((e) => ({ ...e, userAdded: false })), ...user.map((e) => ({ ...e, userAdded: true }))];
}

export async function catalogEntry(ws: Workspace, id: string): Promise<CatalogEntry> {
  const all = await catalogEntries(ws);
  const entry = all.find((e) => e.id === id);
  if (!entry) throw new LabError('NOT_FOUND', msg('model.download.unknown', { id, known: all.map((e) => e.id).join(', ') }));
  return entry;
}

function stateOf(ws: Workspace, id: string): BackboneInfo['state'] {
  const dir = downloadedBackboneDir(ws, id);
  if (existsSync(path.join(dir, 'model.json'))) return 'downloaded';
  // An attempt that got nothing (offline) leaves an empty folder: not partly downloaded.
  const partial = `${dir}.partial`;
  return existsSync(partial) && readdirSync(partial).length > 0 ? 'partial' : 'missing';
}

/** Everything model.backbone can name by id: the bundled backbone first, then the catalogue with download states. */
export async function listBackbones(ws: Workspace): Promise<BackboneInfo[]> {
  const bundled: BackboneInfo = {
    backbone: BUILTIN_MOBILENET,
    id: 'mobilenetv2',
    name: { en: 'MobileNetV2 α0.35 (bundled, works offline)', 'zh-CN': 'MobileNetV2 α0.35（内置，无需联网）' },
    state: 'bundled',
    inputSize: 224,
    channels: 3,
    scaling: 'symmetric',
    defaultCut: null,
    approxBytes: 0,
    url: null,
    userAdded: false,
  };
  const entries = await catalogEntries(ws);
  return [
    bundled,
    ...entries.map((e) => ({
      backbone: `${CATALOG_PREFIX}${e.id}`,
      id: e.id,
      name: e.name,
      state: stateOf(ws, e.id),
      inputSize: e.inputSize,
      channels: e.channels,
      scaling: e.scaling,
      defaultCut: e.defaultCut ?? null,
      approxBytes: e.approxBytes,
      url: new URL('model.json', e.baseUrl).toString(),
      userAdded: e.userAdded,
    })),
  ];
}

/** Downloads a catalogue backbone (or checks the downloaded one against its pinned checksums); returns its folder. */
export async function fetchCatalogBackbone(ws: Workspace, id: string, o: DownloadOptions = {}): Promise<string> {
  const entry = await catalogEntry(ws, id);
  return ensureBackbone(ws, { id: entry.id, baseUrl: entry.baseUrl, approxBytes: entry.approxBytes, ...(entry.files ? { files: entry.files } : {}) }, o);
}

/** The folder of a downloaded catalogue backbone, checked; NOT_FOUND with what to do when it is not downloaded. */
export async function downloadedCatalogBackbone(ws: Workspace, id: string): Promise<string> {
  await catalogEntry(ws, id);
  if (stateOf(ws, id) !== 'downloaded') throw new LabError('NOT_FOUND', msg('backbone.notDownloaded', { id }));
  return fetchCatalogBackbone(ws, id);
}

export interface ResolveOptions extends DownloadOptions {
  /** told before a download starts (not when the backbone is already here) */
  onDownloadStart?: (entry: CatalogEntry) => void;
  /** told when that download completed (its checksums pinned) */
  onDownloaded?: (dir: string) => void;
}

/**
 * A run's config with `catalog:<id>` replaced by the downloaded folder (downloading it first), the entry's pixel
 * scaling and default cut filled in where the config leaves them open. Other configs come back unchanged.
 */
export async function resolveCatalogBackbone(ws: Workspace, config: TrainConfig, o: ResolveOptions = {}): Promise<TrainConfig> {
  const m = config.model;
  if (m.kind !== 'transfer' || !isCatalogBackbone(m.backbone)) return config;
  const entry = await catalogEntry(ws, catalogId(m.backbone));
  const downloads = stateOf(ws, entry.id) !== 'downloaded';
  if (downloads) o.onDownloadStart?.(entry);
  const dir = await fetchCatalogBackbone(ws, entry.id, o);
  if (downloads) o.onDownloaded?.(dir);
  return {
    ...config,
    model: {
      ...m,
      backbone: dir,
      inputNormalization: m.inputNormalization ?? entry.scaling,
      ...(m.cutLayer === undefined && entry.defaultCut ? { cutLayer: entry.defaultCut } : {}),
    },
  };
}

/**
 * Download options that report as a run reports: a line when the download starts, one per tenth downloaded, one
 * when the checksums are pinned (a run's log events, so every shell shows them in its language).
 */
export function downloadLog(ws: Workspace, log: (level: 'info' | 'warn', m: LabMessage) => void, signal?: AbortSignal): ResolveOptions {
  let tenth = '';
  let id = '';
  return {
    ...(signal ? { signal } : {}),
    onDownloadStart: (entry) => {
      id = entry.id;
      log('info', msg('backbone.downloading', { id: entry.id, size: formatBytes(entry.approxBytes), url: new URL('model.json', entry.baseUrl).toString() }));
    },
    onProgress: (p) => {
      const t = `${p.total > 0 ? Math.floor((10 * p.done) / p.total) : 0}/${p.total}`;
      if (t === tenth) return;
      tenth = t;
      log('info', msg('backbone.downloadProgress', { id: p.id, done: formatBytes(p.done), total: formatBytes(p.total) }));
    },
    onDownloaded: () => log('info', msg('backbone.downloaded', { id, file: path.join(downloadedBackboneDir(ws, id), CHECKSUM_FILE) })),
  };
}

export { CHECKSUM_FILE };
