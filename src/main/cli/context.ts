import type { LabClient } from '../../shared/contract';
import type { LabService } from '../service/lab-service';
import type { Reporter } from './reporter';
import type { Locale } from '../../shared/messages';

export interface CliContext {
  service: LabService;
  /** The LabApi, validated like every other shell's calls. */
  lab: LabClient;
  out: Reporter;
  json: boolean;
  /** The language of human output: --lang, else LC_ALL / LC_MESSAGES / LANG (zh* → zh-CN), else English. */
  locale: Locale;
}

/** Wrong usage: exit code 2 with the usage text. */
export class UsageError extends Error {}
