import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import { english, formatMessage, localize, msg, resolveLocale, type LabMessage } from '../../../shared/messages';
import type { LabErrorData } from '../../../shared/errors';
import { torchBackendMessage } from '../../../shared/engine-options';

/**
 * Engine messages (code + params, see src/shared/messages) in the UI's current language.
 * `text(english, msg)` prefers the message and falls back to the English sentence an older engine sent.
 */
const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'onednn', 'wasm', 'cpu-fast', 'cpu'] as const;
const backendLabels = new Map<string, LabMessage>(BACKENDS.flatMap((b) => [[english(msg(`backend.label.${b}`)), msg(`backend.label.${b}`)], [b, msg(`backend.label.${b}`)]] as const));

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
    /** A run's backend, stored as the engine's English label (or its name): the label in the UI's language. */
    backend: (label: string): string => {
      const m = backendLabels.get(label) ?? torchBackendMessage(label);
      return m ? formatMessage(m, current.value) : label;
    },
  };
}
