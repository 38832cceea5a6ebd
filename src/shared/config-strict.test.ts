import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from './config';
import { editDistance, nearestName } from './nearest-name';
import { parseOrThrow } from './validation';

const parse = (v: unknown) => parseOrThrow(TrainConfigSchema, v, 'training config', 'BAD_CONFIG');

describe('training configs are validated strictly', () => {
  it('refuses a non-object (null, array, string) instead of training a default run', () => {
    for (const v of [null, [], 'epochs', 3]) expect(() => parse(v)).toThrow(/Invalid training config: \(value\): .*expected object/);
  });

  it('refuses unknown keys, naming the nearest valid one, at every level', () => {
    expect(() => parse({ datasetId: 'd', epochz: 3 })).toThrow(/unknown setting "epochz" \(did you mean `epochs`\?\)/);
    expect(() => parse({ datasetId: 'd', optimizer: { name: 'adam', learningRate: 0.1 } })).toThrow(/optimizer: unknown setting "learningRate"/);
    expect(() => parse({ datasetId: 'd', input: { size: 32, chanels: 1 } })).toThrow(/input: unknown setting "chanels" \(did you mean `channels`\?\)/);
    expect(() => parse({ datasetId: 'd', model: { kind: 'mlp', hidden: [{ unit: 8 }] } })).toThrow(/model\.hidden\.0: unknown setting "unit" \(did you mean `units`\?\)/);
    expect(() => parse({ datasetId: 'd', batchsize: 8, zzzzzz: 1 })).toThrow(/"batchsize" \(did you mean `batchSize`\?\), "zzzzzz"; valid settings here: /);
  });

  it('still accepts every valid setting and fills the defaults', () => {
    const c = parse({ datasetId: 'd', epochs: 3, model: { kind: 'resnet', depth: 8 }, optimizer: { name: 'sgd' } });
    expect(c.epochs).toBe(3);
    expect(TrainConfigSchema.parse(c)).toEqual(c); // a complete config round-trips
  });

  it('suggests only plausible typos', () => {
    expect(editDistance('epochz', 'epochs')).toBe(1);
    expect(nearestName('epochz', ['epochs', 'seed'])).toBe('epochs');
    expect(nearestName('colour', ['epochs', 'seed'])).toBeNull();
  });
});
