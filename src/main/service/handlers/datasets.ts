import type { LabHandlers } from '../../../shared/contract';
import { LabError } from '../../../shared/errors';
import type { ServiceContext } from '../context';

export type DatasetsHandlers = Pick<LabHandlers, 'datasets.inspect' | 'datasets.import' | 'datasets.cancelImport' | 'datasets.list' | 'datasets.get' | 'datasets.samples' | 'datasets.delete'>;

// Placeholder until the datasets work lands: every call says so instead of failing silently.
export function datasetsHandlers(_ctx: ServiceContext): DatasetsHandlers {
  const notYet = async (): Promise<never> => {
    throw new LabError('INTERNAL', 'datasets is not available in this build yet.');
  };
  return new Proxy({} as DatasetsHandlers, { get: () => notYet });
}
