import type { LabHandlers } from '../../../shared/contract';
import { listCutLayers } from '../../models';

export type BackboneHandlers = Pick<LabHandlers, 'models.cutLayers'>;

/** Backbone questions the Train form asks before a run: where a new head can go. */
export function backboneHandlers(): BackboneHandlers {
  return {
    'models.cutLayers': async ({ backbone, size }) => listCutLayers(backbone, size),
  };
}
