/**
 * Messages as data: every sentence the engine shows a person is a code plus parameters, with texts in
 * English and Simplified Chinese. The UI renders it in its language; the CLI follows --lang / LANG.
 *
 * How to add a message
 *  1. Pick the area file in `catalog/` (errors, dataset, advice, tuning, diagnosis, backend, settings…) or
 *     create `catalog/<area>.ts` with `defineMessages({ ...en }, { ...zh-CN })` and add it to `catalog/index.ts`.
 *  2. Add the code to BOTH objects, prefixed with the area: `'dataset.reason.empty': 'The file is empty…'`.
 *     Placeholders: `{name}` → params.name; `{n|image|images}` picks a form by params.n (English plurals);
 *     `{items:sentences}` joins a list of sentences. A param may itself be a LabMessage (rendered in the
 *     same language) or a list (joined with ", " / "、"). A code missing in either language is a type
 *     error; `messages.test.ts` checks that both texts use the same placeholders and that Chinese is Chinese.
 *  3. Produce it: `msg('dataset.reason.empty', { file })`, e.g. `new LabError('NO_IMAGES', msg(...))` (the
 *     error keeps the English sentence in `.message` for old clients and carries the message in `.msg`).
 *     DTOs carry a message beside their English string: `message` + `msg`, `warnings` + `warningMsgs`…
 *     Helpers: `said(m)` → `{ message, msg }`; `withMsg(m)` → `{ msg }` or `{}`; `asMessage(x)` wraps an old
 *     English string (from files written before messages existed) so it is shown verbatim.
 *  4. Show it: `formatMessage(m, locale)`, or `localize(english, m, locale)` where the English string may
 *     come from an older engine without a message. In the renderer, use `useLabMessages().text(...)`.
 *
 * This folder imports nothing from node, the DOM, electron or vue.
 */
export type { LabMessage, MessageParam, Locale } from './types';
export { LOCALES, resolveLocale } from './types';
export { defineMessages } from './define';
export { catalogs, type MessageCode } from './catalog';
export { msg, formatMessage, localize, isMessageCode, isLabMessage } from './format';

import { formatMessage, msg } from './format';
import type { LabMessage } from './types';

/** The English text, for the `message` strings that old clients read. */
export function english(message: LabMessage): string {
  return formatMessage(message, 'en');
}

/** `{ message, msg }` for the DTO fields that carry the English sentence and the message side by side. */
export function said(message: LabMessage): { message: string; msg: LabMessage } {
  return { message: english(message), msg: message };
}

/** A message as is; an English string (from files written before messages existed) shown verbatim. */
export function asMessage(value: LabMessage | string): LabMessage {
  return typeof value === 'string' ? msg('common.verbatim', { text: value }) : value;
}

/** `{ msg }` when there is a message, `{}` otherwise (for spreading into a DTO without an `undefined` field). */
export function withMsg(message: LabMessage | undefined | null): { msg?: LabMessage } {
  return message ? { msg: message } : {};
}
