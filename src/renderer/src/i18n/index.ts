import { createI18n } from 'vue-i18n';
import en from './en';
import zhCN from './zh-CN';
import { features } from './features';
import type { AppLocale } from '../lib/preferences';
import type { DatasetLayout, FileProblem, RunStatus, SplitName } from '../../../shared/dto';
import type { AugmentPreset } from '../../../shared/augment-config';

// Every engine value the UI names has text: a new reason, status or layout fails the type check here.
void (en.dataset.reasons satisfies Record<FileProblem['reason'], string>);
void (en.status satisfies Record<RunStatus, string>);
void (en.dataset.layouts satisfies Record<DatasetLayout, string>);
void (en.dataset.split satisfies Record<SplitName, string>);
void (en.train.augmentPresets satisfies Record<AugmentPreset, string>);

/**
 * One way to hold the UI's words: the global catalogs (en.ts, zh-CN.ts) plus one message module per feature
 * (tuning, augmentation, playground, export, dashboards…), each `{ en, 'zh-CN' }` with the Chinese object
 * typed `typeof en` so a missing key fails the type check. All of them are merged here into the one i18n
 * instance: components call `useI18n()` with no local messages. Engine sentences are not here: they arrive as
 * LabMessages (src/shared/messages) and are shown with useLabMessages().
 */
export const uiMessages = {
  en: Object.assign({}, en, ...features.map((f) => f.en)) as MessageSchema,
  'zh-CN': Object.assign({}, zhCN, ...features.map((f) => f['zh-CN'])) as MessageSchema,
};

type FeatureMessages = (typeof features)[number]['en'];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
export type MessageSchema = typeof en & UnionToIntersection<FeatureMessages>;

export function createLabI18n(locale: AppLocale) {
  return createI18n<[MessageSchema], AppLocale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: uiMessages,
  });
}
