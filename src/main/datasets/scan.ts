/**
 * Find the files of a dataset and their labels: detect each dropped path's layout (class folders, pre-split
 * train/val/test, or a path,label CSV), walk it following symlinks but never round a loop, and list every file with
 * its class, fixed split (if the layout gives one), size and mtime. Reads directory entries and stats only.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { DatasetLayout, SplitName } from '../../shared/dto';
import { LabError } from '../../shared/errors';
import { msg, said, type LabMessage } from '../../shared/messages';
import { throwIfCancelled } from './pool';
import { IMAGE_EXTENSIONS } from './sniff';

export interface ScanEntry {
  /** absolute path as found (through symlinks, not resolved) */
  path: string;
  /** index of the dropped path it came from */
  root: number;
  className: string;
  /** set by a pre-split layout or a CSV split column */
  split: SplitName | null;
  size: number;
  mtimeMs: number;
  /** File identity at scan time (of the file a link leads to): serving re-checks it. */
  dev?: number;
  ino?: number;
}

export interface ScanIssue {
  path: string;
  reason: 'symlink-loop' | 'unreadable';
  message: string;
  msg?: LabMessage;
}

export interface RootLayout {
  path: string;
  layout: DatasetLayout;
  /** for csv: the list file */
  csv?: string;
}

export interface ScanResult {
  roots: RootLayout[];
  layout: DatasetLayout;
  entries: ScanEntry[];
  issues: ScanIssue[];
  warnings: LabMessage[];
}

const SPLIT_DIRS: Record<string, SplitName> = { train: 'train', training: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test', testing: 'test' };

/** OS and tool droppings, never images and never worth a warning. */
function ignored(name: string): boolean {
  return name.startsWith('.') || name === '__MACOSX' || name === 'Thumbs.db' || name === 'desktop.ini';
}

function isListFile(name: string): boolean {
  return /\.(csv|tsv)$/i.test(name);
}

async function statOrThrow(p: string): Promise<Stats> {
  try {
    return await stat(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LabError('NOT_FOUND', msg('error.path.missing', { path: p }), { path: p });
    throw new LabError('UNREADABLE', msg('error.path.unreadable', { path: p, detail: code ?? (err as Error).message }), { path: p });
  }
}

/** Decide a dropped path's layout from its top level. */
export async function detectLayout(p: string): Promise<RootLayout & { warnings: LabMessage[] }> {
  const abs = path.resolve(p);
  const st = await statOrThrow(abs);
  if (st.isFile()) {
    if (isListFile(abs)) return { path: abs, layout: 'csv', csv: abs, warnings: [] };
    throw new LabError('BAD_ARGUMENT', msg('error.path.isFile', { path: abs }), { path: abs });
  }
  let names: { name: string; dir: boolean }[];
  try {
    const dirents = await readdir(abs, { withFileTypes: true });
    names = await Promise.all(
      dirents
        .filter((d) => !ignored(d.name))
        .map(async (d) => ({ name: d.name, dir: d.isDirectory() || (d.isSymbolicLink() && (await stat(path.join(abs, d.name)).then((s) => s.isDirectory(), () => false))) })),
    );
  } catch (err) {
    throw new LabError('UNREADABLE', msg('error.folder.unreadable', { path: abs, detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message }), { path: abs });
  }
  const dirs = names.filter((n) => n.dir).map((n) => n.name);
  const files = names.filter((n) => !n.dir).map((n) => n.name);
  const splitDirs = dirs.filter((d) => d.toLowerCase() in SPLIT_DIRS);
  if (dirs.length >= 2 && splitDirs.length === dirs.length && splitDirs.some((d) => SPLIT_DIRS[d.toLowerCase()] === 'train')) {
    return { path: abs, layout: 'pre-split', warnings: [] };
  }
  const lists = files.filter(isListFile).sort();
  // A list beside image folders (labels.csv + images/) is the dataset when its first entry names an existing file.
  if (lists.length > 0 && (dirs.length === 0 || (await listPointsAtFiles(path.join(abs, lists[0]!))))) {
    const warnings = lists.length > 1 ? [msg('dataset.warning.severalLists', { path: abs, lists: lists.join(', '), used: lists[0]! })] : [];
    return { path: abs, layout: 'csv', csv: path.join(abs, lists[0]!), warnings };
  }
  return { path: abs, layout: 'class-folders', warnings: [] };
}

async function listPointsAtFiles(csv: string): Promise<boolean> {
  try {
    const text = (await readFile(csv, 'utf8')).slice(0, 64 * 1024);
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#')).slice(0, 3);
    const sep = /\.tsv$/i.test(csv) || (lines[0] ?? '').includes('\t') ? '\t' : ',';
    for (const line of lines) {
      const first = splitLine(line, sep)[0];
      if (first && (await stat(path.resolve(path.dirname(csv), first)).then((s) => s.isFile(), () => false))) return true;
    }
  } catch {
    // unreadable list: not this layout
  }
  return false;
}

interface WalkOut {
  files: string[];
  issues: ScanIssue[];
}

/** Every file under dir (symlinks followed; a link back to a folder being walked is reported, not followed). */
async function walk(dir: string, out: WalkOut, ancestors: Set<string>, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new LabError('CANCELLED', msg('error.import.cancelled'));
  let dirents;
  try {
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    out.issues.push({ path: dir, reason: 'unreadable', ...said(msg('dataset.problem.folderUnreadable', { detail: code ?? 'error' })) });
    return;
  }
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const d of dirents) {
    if (ignored(d.name)) continue;
    const p = path.join(dir, d.name);
    if (d.isDirectory()) {
      const real = await realpath(p).catch(() => p);
      if (ancestors.has(real)) {
        out.issues.push({ path: p, reason: 'symlink-loop', ...said(msg('dataset.problem.folderLoop')) });
        continue;
      }
      ancestors.add(real);
      await walk(p, out, ancestors, signal);
      ancestors.delete(real);
    } else if (d.isSymbolicLink()) {
      let target: Stats;
      try {
        target = await stat(p);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ELOOP') out.issues.push({ path: p, reason: 'symlink-loop', ...said(msg('dataset.problem.linkLoop')) });
        else out.issues.push({ path: p, reason: 'unreadable', ...said(msg('dataset.problem.linkDangling', { detail: code ?? 'error' })) });
        continue;
      }
      if (target.isDirectory()) {
        const real = await realpath(p).catch(() => p);
        if (ancestors.has(real)) {
          out.issues.push({ path: p, reason: 'symlink-loop', ...said(msg('dataset.problem.linkToParent')) });
          continue;
        }
        ancestors.add(real);
        await walk(p, out, ancestors, signal);
        ancestors.delete(real);
      } else if (target.isFile()) out.files.push(p);
    } else if (d.isFile()) out.files.push(p);
  }
}

async function walkRoot(dir: string, signal?: AbortSignal): Promise<WalkOut> {
  const out: WalkOut = { files: [], issues: [] };
  await walk(dir, out, new Set([await realpath(dir).catch(() => dir)]), signal);
  return out;
}

interface Labelled {
  path: string;
  className: string;
  split: SplitName | null;
}

/** Split a CSV/TSV line, honouring double quotes. */
function splitLine(line: string, sep: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const HEADER_WORDS = new Set(['path', 'file', 'filename', 'file_name', 'filepath', 'image', 'image_path', 'img', 'name', 'id', 'label', 'class', 'category', 'target', 'y', 'split']);

async function readList(csv: string, issues: ScanIssue[], warnings: LabMessage[]): Promise<Labelled[]> {
  let text: string;
  try {
    text = await readFile(csv, 'utf8');
  } catch (err) {
    throw new LabError('UNREADABLE', msg('error.list.unreadable', { path: csv, detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message }), { path: csv });
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const sep = /\.tsv$/i.test(csv) || (lines[0] ?? '').includes('\t') ? '\t' : (lines[0] ?? '').includes(';') && !(lines[0] ?? '').includes(',') ? ';' : ',';
  const base = path.dirname(csv);
  const out: Labelled[] = [];
  let bad = 0;
  lines.forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const cells = splitLine(line, sep);
    if (i === 0 && cells.every((c) => HEADER_WORDS.has(c.toLowerCase()))) return;
    const [file, label, split] = cells;
    if (!file || !label) {
      bad++;
      if (bad <= 5) warnings.push(msg(file ? 'dataset.warning.csvLineNoLabel' : 'dataset.warning.csvLineNoPath', { file: csv, line: i + 1, sep: sep === '\t' ? '<tab>' : sep }));
      return;
    }
    const s = split ? SPLIT_DIRS[split.toLowerCase()] : undefined;
    out.push({ path: path.resolve(base, file), className: label, split: s ?? null });
  });
  if (bad > 5) warnings.push(msg('dataset.warning.csvManyBad', { file: csv, count: bad }));
  if (out.length === 0) issues.push({ path: csv, reason: 'unreadable', ...said(msg('dataset.problem.listEmpty')) });
  return out;
}

/** Scan all dropped paths, merging classes by name. Stats every file (size, mtime) with a small pool. */
export async function scanPaths(paths: string[], opts: { signal?: AbortSignal; onFile?: (found: number) => void; stats?: boolean } = {}): Promise<ScanResult> {
  const roots: RootLayout[] = [];
  const warnings: LabMessage[] = [];
  const issues: ScanIssue[] = [];
  const labelled: (Labelled & { root: number })[] = [];
  const seenRoots = new Set<string>();
  for (const p of paths) {
    const det = await detectLayout(p);
    if (seenRoots.has(det.path)) continue;
    seenRoots.add(det.path);
    const root = roots.length;
    roots.push({ path: det.path, layout: det.layout, ...(det.csv ? { csv: det.csv } : {}) });
    warnings.push(...det.warnings);
    if (det.layout === 'csv') {
      for (const l of await readList(det.csv!, issues, warnings)) labelled.push({ ...l, root });
      continue;
    }
    const w = await walkRoot(det.path, opts.signal);
    issues.push(...w.issues);
    const loose: string[] = [];
    /** Class → files found in subfolders of its folder (merged into the class) and the first such subfolder. */
    const nested = new Map<string, { count: number; example: string }>();
    let looseOnly = true;
    const prefix = det.path.length + (det.path.endsWith(path.sep) ? 0 : 1);
    for (const f of w.files) {
      const parts = f.slice(prefix).split(path.sep); // walk() built every path by joining onto det.path
      if (det.layout === 'pre-split') {
        if (parts.length < 3) {
          loose.push(f);
          continue;
        }
        labelled.push({ path: f, className: parts[1]!, split: SPLIT_DIRS[parts[0]!.toLowerCase()]!, root });
      } else {
        if (parts.length < 2) {
          loose.push(f);
          continue;
        }
        looseOnly = false;
        labelled.push({ path: f, className: parts[0]!, split: null, root });
        if (parts.length > 2) {
          const n = nested.get(parts[0]!);
          nested.set(parts[0]!, { count: (n?.count ?? 0) + 1, example: n?.example ?? parts.slice(0, -1).join('/') });
        }
      }
    }
    // Say what was merged or left out, so no image or class disappears silently.
    for (const [className, n] of nested) warnings.push(msg('dataset.warning.nestedMerged', { count: n.count, className, example: `${n.example}/` }));
    if (det.layout === 'class-folders') {
      const withImages = new Set(labelled.filter((l) => l.root === root).map((l) => l.className));
      for (const d of await readdir(det.path, { withFileTypes: true }).catch(() => [])) {
        if (d.isDirectory() && !ignored(d.name) && !withImages.has(d.name)) warnings.push(msg('dataset.warning.emptyClassFolder', { path: path.join(det.path, d.name), name: d.name }));
      }
    }
    if (det.layout === 'class-folders' && looseOnly && loose.length > 0) {
      // A folder of images with no subfolders: the folder itself is one class (several such folders make a dataset).
      const name = path.basename(det.path);
      for (const f of loose) labelled.push({ path: f, className: name, split: null, root });
      warnings.push(msg('dataset.warning.looseClass', { path: det.path, name }));
    } else if (loose.some((f) => IMAGE_EXTENSIONS.has(path.extname(f).toLowerCase()))) {
      // Only image-like files are worth a warning; a README or LICENSE beside the class folders is expected.
      const code = det.layout === 'pre-split' ? 'dataset.warning.looseIgnoredSplit' : 'dataset.warning.looseIgnored';
      warnings.push(msg(code, { count: loose.length, path: det.path, example: path.basename(loose[0]!) }));
    }
    opts.onFile?.(labelled.length);
  }
  const layouts = new Set(roots.map((r) => r.layout));
  if (layouts.size > 1) warnings.push(msg('dataset.warning.mixedLayouts', { layouts: [...layouts].join(', ') }));
  const layout = roots[0]?.layout ?? 'class-folders';
  const entries: ScanEntry[] = [];
  if (opts.stats === false) {
    for (const l of labelled) entries.push({ ...l, size: -1, mtimeMs: -1 });
  } else {
    // Synchronous stats in slices: far cheaper per file than the promise API, and the event loop still breathes.
    const stats: (Stats | NodeJS.ErrnoException)[] = new Array(labelled.length);
    for (let i = 0; i < labelled.length; i++) {
      try {
        stats[i] = statSync(labelled[i]!.path);
      } catch (err) {
        stats[i] = err as NodeJS.ErrnoException;
      }
      if (i % 2048 === 2047) {
        opts.onFile?.(i + 1);
        await new Promise((r) => setImmediate(r));
        throwIfCancelled(opts.signal);
      }
    }
    labelled.forEach((l, i) => {
      const s = stats[i]!;
      if (s instanceof Error) {
        const missing = s.code === 'ENOENT';
        issues.push({ path: l.path, reason: 'unreadable', ...said(missing ? msg('dataset.problem.listedMissing') : msg('dataset.problem.listedUnreadable', { detail: s.code ?? s.message })) });
      } else if (!s.isFile()) {
        issues.push({ path: l.path, reason: 'unreadable', ...said(msg('dataset.problem.listedNotFile')) });
      } else entries.push({ ...l, size: s.size, mtimeMs: s.mtimeMs, dev: s.dev, ino: s.ino });
    });
  }
  entries.sort((a, b) => a.root - b.root || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { roots, layout, entries, issues, warnings };
}
