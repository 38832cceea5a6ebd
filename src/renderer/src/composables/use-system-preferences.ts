import { onScopeDispose, ref, type Ref } from 'vue';

/** The OS colour scheme and the browser's language list, kept live (theme switches while the app runs). */
export function useSystemPreferences(): { prefersDark: Ref<boolean>; languages: Ref<readonly string[]> } {
  const media = typeof window !== 'undefined' && window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;
  const prefersDark = ref(media?.matches ?? false);
  const languages = ref<readonly string[]>(typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : ['en']);
  const onScheme = (e: MediaQueryListEvent): void => {
    prefersDark.value = e.matches;
  };
  const onLanguage = (): void => {
    languages.value = navigator.languages;
  };
  media?.addEventListener('change', onScheme);
  if (typeof window !== 'undefined') window.addEventListener('languagechange', onLanguage);
  onScopeDispose(() => {
    media?.removeEventListener('change', onScheme);
    if (typeof window !== 'undefined') window.removeEventListener('languagechange', onLanguage);
  });
  return { prefersDark, languages };
}
