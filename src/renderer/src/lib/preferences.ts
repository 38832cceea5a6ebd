/** Turning the 'auto' settings into a concrete locale and theme, from what the OS/browser reports. */
export type AppLocale = 'en' | 'zh-CN';
export type LocaleSetting = AppLocale | 'auto';
export type ThemeSetting = 'auto' | 'light' | 'dark';

/** The first preferred language we have messages for; Chinese variants map to Simplified Chinese. */
export function resolveLocale(setting: LocaleSetting, languages: readonly string[]): AppLocale {
  if (setting !== 'auto') return setting;
  for (const lang of languages) {
    const l = lang.toLowerCase();
    if (l.startsWith('zh')) return 'zh-CN';
    if (l.startsWith('en')) return 'en';
  }
  return 'en';
}

export function resolveTheme(setting: ThemeSetting, systemPrefersDark: boolean): 'light' | 'dark' {
  if (setting !== 'auto') return setting;
  return systemPrefersDark ? 'dark' : 'light';
}
