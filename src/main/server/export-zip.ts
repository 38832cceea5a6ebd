/**
 * GET /api/export/<runId>/<export>.zip: one export folder of a run (runs/<id>/export/<export>/, as `runs.export`
 * writes it by default), zipped, so a browser user can download what the lab exported on the server.
 * Only folders under the run's own export/ folder are served: never a path the request names.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import type { Workspace } from '../workspace';

export interface ZipResponse {
  status: number;
  body: string | Buffer;
  type: string;
  headers?: Record<string, string>;
}

const ROUTE = /^\/api\/export\/([^/]+)\/([^/]+)\.zip$/;
/** Export folder names the lab writes: tfjs, onnx-float16, teachable-machine-uint8, … */
const EXPORT_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The address the renderer links to for a run's export folder (its last path part). */
export function exportZipPath(runId: string, exportName: string): string {
  return `/api/export/${encodeURIComponent(runId)}/${encodeURIComponent(exportName)}.zip`;
}

/** Files of a folder, recursively, as fflate's tree; symbolic links are left out. */
function collect(dir: string): Zippable {
  const out: Zippable = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out[entry.name] = collect(full);
    else if (entry.isFile()) out[entry.name] = readFileSync(full);
  }
  return out;
}

/** Answers the zip route, or null when the path is not this route. */
export function serveExportZip(pathname: string, ws: Workspace): ZipResponse | null {
  const m = ROUTE.exec(pathname);
  if (!m) return null;
  let runId: string;
  let name: string;
  try {
    runId = decodeURIComponent(m[1]!);
    name = decodeURIComponent(m[2]!);
  } catch {
    return { status: 400, body: 'Bad request: the export address is not valid percent-encoding.', type: 'text/plain; charset=utf-8' };
  }
  if (!RUN_ID.test(runId) || !EXPORT_NAME.test(name)) {
    return { status: 400, body: 'Bad request: an export address names a run id and an export folder such as "tfjs" or "onnx-float16".', type: 'text/plain; charset=utf-8' };
  }
  const exportRoot = path.join(ws.runDir(runId), 'export');
  const dir = path.join(exportRoot, name);
  let real: string;
  try {
    if (!lstatSync(dir).isDirectory()) throw new Error('not a folder');
    real = realpathSync(dir);
    // the folder must really be inside the run's export folder (no link leading elsewhere)
    if (path.dirname(real) !== realpathSync(exportRoot)) throw new Error('outside');
  } catch {
    return { status: 404, body: `Not found: run ${runId} has no "${name}" export. Export it first on the run page.`, type: 'text/plain; charset=utf-8' };
  }
  const zip = zipSync({ [name]: collect(real) }, { level: 6 });
  return {
    status: 200,
    body: Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength),
    type: 'application/zip',
    headers: { 'Content-Disposition': `attachment; filename="${runId}-${name}.zip"` },
  };
}
