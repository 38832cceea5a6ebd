import { computed, inject, provide, type ComputedRef, type InjectionKey } from 'vue';

/** The theme the app shows ('auto' already resolved against the OS), for charts that draw their own colours. */
const APP_THEME: InjectionKey<ComputedRef<'light' | 'dark'>> = Symbol('app-theme');

export function provideAppTheme(theme: ComputedRef<'light' | 'dark'>): void {
  provide(APP_THEME, theme);
}

export function useAppTheme(): ComputedRef<'light' | 'dark'> {
  return inject(APP_THEME, computed(() => 'light' as const));
}
