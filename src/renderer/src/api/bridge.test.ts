import { describe, expect, it } from 'vitest';
import { LabError } from '../../../shared/errors';
import { createFakeBridge } from '../testing/fake-bridge';
import { withLabErrors } from './bridge';

describe('Electron bridge wrapper', () => {
  it('turns the plain error objects that cross the context bridge back into LabError', async () => {
    const raw = createFakeBridge().on('datasets.get', () => {
      throw { code: 'NOT_FOUND', message: 'No dataset "x": import it first.' };
    });
    const err = await withLabErrors(raw).call('datasets.get', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('NOT_FOUND');
    expect((err as LabError).message).toContain('import it first');
  });

  it('passes results, events and the shell-only helpers through', async () => {
    const raw = createFakeBridge().on('runs.list', () => []);
    raw.pickFolder = async () => '/picked';
    const bridge = withLabErrors(raw);
    expect(await bridge.call('runs.list')).toEqual([]);
    expect(await bridge.pickFolder?.()).toBe('/picked');
    expect(bridge.pathForFile).toBeUndefined();
    const seen: string[] = [];
    const off = bridge.onEvent((e) => seen.push(e.type));
    raw.emit({ type: 'import.done', jobId: 'j', datasetId: 'd' });
    off();
    raw.emit({ type: 'import.done', jobId: 'j', datasetId: 'd' });
    expect(seen).toEqual(['import.done']);
  });
});
