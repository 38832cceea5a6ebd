import { commonMessages } from './common';
import { errorMessages } from './errors';
import { modelMessages } from './models';
import { datasetMessages } from './dataset';
import { tuningMessages } from './tuning';
import { diagnosisMessages } from './diagnosis';
import { backendMessages } from './backend';
import { explainMessages } from './explain';
import { deployMessages } from './deploy';
import { boundaryMessages } from './boundaries';
import { torchMessages } from './torch';
import { captureMessages } from './capture';
import { backboneMessages } from './backbones';

/**
 * Every area's catalog, merged. Add an area: create `catalog/<area>.ts` with defineMessages(...) and spread
 * it into both languages below (keys are prefixed with the area, so areas never collide).
 */
const areas = [commonMessages, errorMessages, datasetMessages, tuningMessages, diagnosisMessages, backendMessages, modelMessages, explainMessages, deployMessages, boundaryMessages, captureMessages, torchMessages, backboneMessages] as const;

type Merge<T extends readonly { en: Record<string, string> }[]> = T[number]['en'];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

export type Catalog = UnionToIntersection<Merge<typeof areas>>;
export type MessageCode = keyof Catalog & string;

function merge(locale: 'en' | 'zh-CN'): Catalog {
  return Object.assign({}, ...areas.map((a) => a[locale])) as Catalog;
}

export const catalogs: Record<'en' | 'zh-CN', Catalog> = { en: merge('en'), 'zh-CN': merge('zh-CN') };
