import type { LabHandlers } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import type { ServiceContext } from '../context';

export type ExportHandlers = Pick<LabHandlers, 'runs.export' | 'models.predict'>;

// Placeholder until the export work lands: every call says so instead of failing silently.
export function exportHandlers(_ctx: ServiceContext): ExportHandlers {
  const notYet = async (): Promise<never> => {
    throw new LabError('INTERNAL', 'export is not available in this build yet.');
  };
  return new Proxy({} as ExportHandlers, { get: () => notYet });
}
