/** A sentence as data: a code from the catalogs plus the values it names. Plain JSON, so it crosses every boundary. */
export interface LabMessage {
  code: string;
  params?: Record<string, MessageParam>;
}

/**
 * A value inside a message. A nested LabMessage is rendered in the same language (e.g. a reason inside a
 * sentence); a list is rendered item by item and joined (", " in English, "、" in Chinese).
 */
export type MessageParam = string | number | LabMessage | readonly (string | number | LabMessage)[];

export type Locale = 'en' | 'zh-CN';
export const LOCALES: readonly Locale[] = ['en', 'zh-CN'];

/** zh, zh_CN.UTF-8, zh-Hans… → zh-CN; everything else (or nothing) → en. */
export function resolveLocale(tag: string | undefined | null): Locale {
  return tag && /^zh/i.test(tag.trim()) ? 'zh-CN' : 'en';
}
