import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { formatMessage, localize, resolveLocale, type LabMessage } from '../../../shared/messages';
import type { LabErrorData } from '../../../shared/errors';

/**
 * Engine messages (code + params, see src/shared/messages) in the UI's current language.
 * `text(english, msg)` prefers the message and falls back to the English sentence an older engine sent.
 */
export function useLabMessages() {
  const { locale } = useI18n();
  const current = computed(() => resolveLocale(String(locale.value)));
  return {
    locale: current,
    text: (english: string, message?: LabMessage | null): string => localize(english, message, current.value),
    format: (message: LabMessage): string => formatMessage(message, current.value),
    /** Parallel arrays (warnings + warningMsgs, advice + adviceMsgs…). */
    list: (english: readonly string[], messages?: readonly LabMessage[]): string[] =>
      english.map((e, i) => localize(e, messages?.[i], current.value)),
    error: (err: Pick<LabErrorData, 'message' | 'msg'>): string => localize(err.message, err.msg, current.value),
  };
}
