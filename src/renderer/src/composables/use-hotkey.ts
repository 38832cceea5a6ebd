import { onScopeDispose } from 'vue';

/** Ctrl+Enter (Cmd+Enter on macOS) anywhere in the view, while the calling component lives. */
export function useModEnter(handler: () => void): void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.isComposing) {
      e.preventDefault();
      handler();
    }
  };
  window.addEventListener('keydown', onKey);
  onScopeDispose(() => window.removeEventListener('keydown', onKey));
}
