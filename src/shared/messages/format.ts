import { catalogs, type MessageCode } from './catalog';
import type { LabMessage, Locale, MessageParam } from './types';

/** Build a message; the code must exist in the catalogs (type-checked). */
export function msg(code: MessageCode, params?: Record<string, MessageParam>): LabMessage {
  return params ? { code, params } : { code };
}

export function isMessageCode(code: string): code is MessageCode {
  return Object.prototype.hasOwnProperty.call(catalogs.en, code);
}

export function isLabMessage(value: unknown): value is LabMessage {
  return typeof value === 'object' && value !== null && typeof (value as LabMessage).code === 'string';
}

const PLACEHOLDER = /\{(\w+)(:sentences)?(?:\|([^|{}]*)\|([^{}]*))?\}/g;

/**
 * The message's text in `locale`. `{name}` is replaced by params.name; `{n|item|items}` picks the first
 * form when params.n is 1 and the second otherwise (English plurals; Chinese texts rarely need it);
 * `{items:sentences}` joins a list of sentences (by a space in English, by nothing in Chinese).
 * An unknown code (a newer engine talking to an older UI) yields the code itself; callers that hold the
 * English sentence too should use `localize`.
 */
export function formatMessage(message: LabMessage, locale: Locale): string {
  const table: Record<string, string> = catalogs[locale];
  const template = table[message.code] ?? (catalogs.en as Record<string, string>)[message.code];
  if (template === undefined) return message.code;
  const params = message.params ?? {};
  return template.replace(PLACEHOLDER, (whole, name: string, sentences?: string, one?: string, other?: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    if (sentences && Array.isArray(value)) return value.map((v: MessageParam) => formatParam(v, locale)).join(locale === 'zh-CN' ? '' : ' ');
    if (one !== undefined && other !== undefined) return Number(value) === 1 ? one : other;
    return formatParam(value, locale);
  });
}

function formatParam(value: MessageParam, locale: Locale): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '—';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v: MessageParam) => formatParam(v, locale)).join(locale === 'zh-CN' ? '、' : ', ');
  return formatMessage(value as LabMessage, locale);
}

/** The text to show: the message in `locale` when this build knows its code, else the English sentence sent beside it. */
export function localize(english: string, message: LabMessage | undefined | null, locale: Locale): string {
  return message && isMessageCode(message.code) ? formatMessage(message, locale) : english;
}
