import os from 'node:os';
import { createRequire } from 'node:module';
import type { LabHandlers } from '../../../shared/contract';
import type { BackendInfo, DoctorReport } from '../../../shared/dto';
import { english, msg } from '../../../shared/messages';
import { getBackendInfo, initBackend } from '../../engine/backend';
import { oneDnnDoctorCheck } from '../../engine/onednn-install';
import type { ServiceContext } from '../context';
import { readSettings, writeSettings } from '../settings-store';
import { existsSync } from 'node:fs';
import { sampleDir } from '../../install-paths';
import { torchDoctorChecks } from '../../torch-engine/doctor';

export type AppHandlers = Pick<LabHandlers, 'app.info' | 'engine.doctor' | 'settings.get' | 'settings.set'>;

const require = createRequire(import.meta.url);

function sharpVersion(): string {
  try {
    const sharp = require('sharp') as { versions: { sharp?: string; vips: string } };
    return `sharp ${sharp.versions.sharp ?? '?'} (libvips ${sharp.versions.vips})`;
  } catch (err) {
    return `not loadable: ${(err as Error).message}`;
  }
}

function gpuCheck(backend: BackendInfo): DoctorReport['checks'][number] {
  const nameMsg = msg('doctor.check.gpu');
  if (backend.device === 'gpu') return { name: 'GPU training', nameMsg, ok: true, detail: backend.label, ...(backend.labelMsg ? { detailMsg: backend.labelMsg } : {}) };
  const gpu = backend.candidates.find((c) => c.name === 'tensorflow-gpu');
  const detailMsg = gpu?.reasonMsg ?? msg('backend.notAvailable');
  return { name: 'GPU training', nameMsg, ok: false, detail: gpu?.reason ?? english(detailMsg), detailMsg };
}

export async function doctorReport(ctx: ServiceContext): Promise<DoctorReport> {
  const backend = await initBackend();
  const sharp = sharpVersion();
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return {
    version: ctx.version,
    node: process.versions.node,
    platform: process.platform,
    arch: process.arch,
    cpus: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    workspace: ctx.ws.root,
    backend,
    sharp,
    checks: [
      { name: 'Node.js ≥ 20.19', nameMsg: msg('doctor.check.node'), ok: major > 20 || (major === 20 && minor >= 19), detail: `Node.js ${process.versions.node}` },
      { name: 'Image decoding (sharp)', nameMsg: msg('doctor.check.sharp'), ok: !sharp.startsWith('not'), detail: sharp },
      gpuCheck(backend),
      { ...oneDnnDoctorCheck(backend), nameMsg: msg('doctor.check.onednn') },
      { name: 'Workspace', nameMsg: msg('doctor.check.workspace'), ok: true, detail: ctx.ws.root },
      ...(await torchDoctorChecks()),
    ],
  };
}

export function appHandlers(ctx: ServiceContext): AppHandlers {
  return {
    'app.info': async () => ({
      version: ctx.version,
      workspace: ctx.ws.root,
      shell: ctx.shell,
      backend: getBackendInfo(),
      ...(existsSync(sampleDir()) ? { samplePath: sampleDir() } : {}),
    }),
    'engine.doctor': () => doctorReport(ctx),
    'settings.get': () => readSettings(ctx.ws),
    'settings.set': async (patch) => writeSettings(ctx.ws, { ...(await readSettings(ctx.ws)), ...patch }),
  };
}
