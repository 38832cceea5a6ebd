import type { LabCallName, LabClient, LabResults } from '../../shared/contract';
import { dispatch } from '../../shared/dispatch';
import type { LabService } from './lab-service';

/** The LabApi in the same process (the CLI): calls go through the same validation as IPC and WebSocket. */
export function localClient(service: LabService): LabClient {
  return {
    call: async <K extends LabCallName>(name: K, ...args: unknown[]) => (await dispatch(service.handlers, name, args)) as LabResults[K],
    onEvent: (listener) => service.onEvent(listener),
  };
}
