import type { EngineOptionsInput } from '../../../shared/engine-options';

/** The Train page's engine choice as the form holds it (an empty template means: start the ranks here). */
export interface EngineChoiceState {
  engine: 'lab' | 'torch';
  processes: number;
  device: 'auto' | 'cpu' | 'cuda';
  commandTemplate: string;
}

export function defaultEngineChoice(): EngineChoiceState {
  return { engine: 'lab', processes: 1, device: 'auto', commandTemplate: '' };
}

/** What runs.start is sent beside the config: nothing for the lab's own engine, else the PyTorch job's options. */
export function engineOptionsOf(choice: EngineChoiceState): EngineOptionsInput | undefined {
  if (choice.engine === 'lab') return undefined;
  const template = choice.commandTemplate.trim();
  return {
    engine: 'torch',
    processes: choice.processes,
    device: choice.device,
    launcher: template ? 'template' : 'local',
    ...(template ? { commandTemplate: template } : {}),
  };
}
