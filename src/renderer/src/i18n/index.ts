import { createI18n } from 'vue-i18n';
import en from './en';
import zhCN from './zh-CN';
import type { AppLocale } from '../lib/preferences';

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
