import type { LabEvent } from '../../shared/events';
import type { Workspace } from '../workspace';

/** What every handler group gets: the workspace and a way to push events to all connected shells. */
export interface ServiceContext {
  ws: Workspace;
  emit(event: LabEvent): void;
  shell: 'electron' | 'browser' | 'cli';
  version: string;
}
