import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTrainConfig } from './train-config';

const dir = mkdtempSync(path.join(os.tmpdir(), 'lab-cfg-'));
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('lab train --config', () => {
  it('refuses a file holding null, an array or a string instead of training a default run', async () => {
    for (const [name, text, kind] of [['null.json', 'null', 'null'], ['array.json', '[1,2]', 'an array'], ['string.json', '"epochs"', 'a string']] as const) {
      await expect(buildTrainConfig('ds', { config: file(name, text) })).rejects.toMatchObject({ code: 'BAD_CONFIG', message: expect.stringContaining(`holds ${kind}; it must hold one JSON object`) });
    }
  });

  it('refuses unknown keys with the nearest valid name', async () => {
    await expect(buildTrainConfig('ds', { config: file('typo.json', '{"epochz": 3}') })).rejects.toMatchObject({ code: 'BAD_CONFIG', message: expect.stringContaining('did you mean `epochs`?') });
  });

  it('says a folder is a folder', async () => {
    await expect(buildTrainConfig('ds', { config: dir })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/is a folder; give the path of a .json file/) });
  });

  it('accepts a valid file with flags on top', async () => {
    const c = await buildTrainConfig('ds', { config: file('ok.json', '{"epochs": 3}'), 'batch-size': '8' });
    expect([c.epochs, c.batchSize, c.datasetId]).toEqual([3, 8, 'ds']);
  });
});
