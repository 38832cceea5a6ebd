import { createI18n } from 'vue-i18n';
import en from './en';
import zhCN from './zh-CN';
import type { AppLocale } from '../lib/preferences';
import type { DatasetLayout, FileProblem, RunStatus, SplitName } from '../../../shared/dto';
import type { AugmentPreset } from '../../../shared/augment-config';

// Every engine value the UI names has text: a new reason, status or layout fails the type check here.
void (en.dataset.reasons satisfies Record<FileProblem['reason'], string>);
void (en.status satisfies Record<RunStatus, string>);
void (en.dataset.layouts satisfies Record<DatasetLayout, string>);
void (en.dataset.split satisfies Record<SplitName, string>);
void (en.train.augmentPresets satisfies Record<AugmentPreset, string>);

export type MessageSchema = typeof en;

/**
 * The app's i18n instance (composition mode). Components with their own text may pass local
 * `messages` to useI18n(); they inherit the global locale.
 */
export function createLabI18n(locale: AppLocale) {
  return createI18n<[MessageSchema], AppLocale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: { en, 'zh-CN': zhCN },
  });
}
