import type { LabClient } from '../../shared/contract';
import type { LabService } from '../service/lab-service';
import type { Reporter } from './reporter';

export interface CliContext {
  service: LabService;
  /** The LabApi, validated like every other shell's calls. */
  lab: LabClient;
  out: Reporter;
  json: boolean;
}

/** Wrong usage: exit code 2 with the usage text. */
export class UsageError extends Error {}
