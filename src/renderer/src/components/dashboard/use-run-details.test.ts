import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { effectScope, nextTick, ref, shallowRef } from 'vue';
import type { RunDetail } from '../../../../shared/dto';
import { LabError } from '../../../../shared/errors';
import { setBridge } from '../../api/bridge';
import { createFakeBridge, flush, type FakeBridge } from '../../testing/fake-bridge';
import { runDetail } from '../../testing/fixtures';
import { useRunDetails } from './use-run-details';

let bridge: FakeBridge;
let missing: Set<string>;
beforeEach(() => {
  setActivePinia(createPinia());
  bridge = createFakeBridge();
  missing = new Set();
  bridge.on('runs.get', (id) => {
    if (missing.has(id)) throw new LabError('NOT_FOUND', `runs.get: no run ${id}`);
    return runDetail({ id, name: `run ${id}`, status: 'completed' });
  });
  setBridge(bridge);
});

const fetchedIds = (): unknown[] => bridge.calls.filter((c) => c.name === 'runs.get').map((c) => c.args[0]);

describe('the details of compared runs', () => {
  it('fetches each selected run once, in the order chosen, and uses the live copy of a run still training', async () => {
    const ids = ref(['a', 'b']);
    const live = shallowRef<RunDetail | null>(null);
    const scope = effectScope();
    const d = scope.run(() => useRunDetails(ids, live))!;
    await flush();
    expect(d.details.value.map((r) => r.id)).toEqual(['a', 'b']);
    ids.value = ['b', 'a', 'c'];
    await nextTick();
    await flush();
    expect(d.details.value.map((r) => r.id)).toEqual(['b', 'a', 'c']);
    expect(fetchedIds()).toEqual(['a', 'b', 'c']);
    live.value = runDetail({ id: 'c', name: 'live c', status: 'running' });
    await nextTick();
    expect(d.details.value.map((r) => r.name)).toEqual(['run b', 'run a', 'live c']);
    scope.stop();
  });

  it('shows why a run could not be read, and Reload fetches again', async () => {
    missing.add('x');
    const scope = effectScope();
    const d = scope.run(() => useRunDetails(ref(['a', 'x']), shallowRef(null)))!;
    await flush();
    expect(d.error.value).toMatchObject({ code: 'NOT_FOUND', message: 'runs.get: no run x' });
    expect(d.loading.value).toBe(false);
    missing.delete('x');
    await d.reload();
    expect(d.error.value).toBeNull();
    expect(d.details.value.map((r) => r.id)).toEqual(['a', 'x']);
    scope.stop();
  });
});
