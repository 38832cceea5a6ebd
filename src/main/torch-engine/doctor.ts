/** `lab doctor`'s PyTorch lines: the Python the engine would use, PyTorch, CUDA devices, gloo/NCCL, what is missing. */
import type { DoctorReport } from '../../shared/dto';
import { english, msg, type LabMessage } from '../../shared/messages';
import { LabError } from '../../shared/errors';
import { labjobSource } from './job-writer';
import { findPython, probeTorch } from './python';
import path from 'node:path';

type Check = DoctorReport['checks'][number];

function check(nameMsg: LabMessage, ok: boolean, detailMsg: LabMessage): Check {
  return { name: english(nameMsg), nameMsg, ok, detail: english(detailMsg), detailMsg };
}

function problem(err: unknown): LabMessage {
  return err instanceof LabError && err.msg ? err.msg : msg('common.verbatim', { text: err instanceof Error ? err.message : String(err) });
}

export async function torchDoctorChecks(): Promise<Check[]> {
  const pythonName = msg('torch.doctor.python');
  let python: string;
  let packageParent: string;
  try {
    python = findPython();
    packageParent = path.dirname(labjobSource());
  } catch (err) {
    return [check(pythonName, false, problem(err))];
  }
  try {
    const p = await probeTorch(python, packageParent);
    const checks = [check(pythonName, true, msg('torch.doctor.pythonFound', { python, version: p.python }))];
    if (!p.torch) return [...checks, check(msg('torch.doctor.torch'), false, msg('torch.torchMissing', { python }))];
    checks.push(check(msg('torch.doctor.torch'), p.numpy, p.numpy ? msg('torch.doctor.torchFound', { torch: p.torch }) : msg('torch.doctor.noNumpy')));
    const devices = p.devices.map((d) => `${d.name} (${Math.round(d.memoryMiB / 1024)} GiB)`).join(', ');
    checks.push(check(msg('torch.doctor.cuda'), p.cuda, p.cuda ? msg('torch.doctor.cudaDevices', { devices }) : msg('torch.doctor.noCuda')));
    checks.push(check(msg('torch.doctor.distributed'), p.gloo || p.nccl, msg('torch.doctor.distributedOk', { gloo: p.gloo ? '✓' : '✗', nccl: p.nccl ? '✓' : '✗' })));
    return checks;
  } catch (err) {
    return [check(pythonName, false, problem(err))];
  }
}
