/**
 * Names and levels that Naive UI's widgets leave out, filled in on the live DOM so screen readers (and axe) can tell
 * what each control is: card titles get a heading level, the ± buttons of number inputs, switches, sliders,
 * progress bars and select inputs get the label the page shows next to them.
 */
import { onBeforeUnmount, onMounted } from 'vue';
import { useI18n } from 'vue-i18n';

/** The visible text that labels a control: its form item's label, else the text beside it in its row or field. */
function visibleLabel(el: Element): string | null {
  const item = el.closest('.n-form-item');
  const fromItem = item?.querySelector('.n-form-item-label')?.textContent?.trim();
  if (fromItem) return fromItem;
  const field = el.closest('label, .field, .head, .row, .n-space-item, .n-checkbox, td');
  if (field) {
    const text = [...field.querySelectorAll('strong, span, label')].map((e) => (e.closest('.n-switch, .n-slider, .n-input-number') ? '' : e.textContent?.trim() ?? '')).find((s) => s.length > 0);
    if (text) return text;
  }
  let prev = el.previousElementSibling;
  while (prev) {
    const text = prev.textContent?.trim();
    if (text) return text;
    prev = prev.previousElementSibling;
  }
  return null;
}

/** Named already: an aria-label, or an aria-labelledby that points at an element with text. */
const named = (el: Element): boolean => {
  if (el.getAttribute('aria-label')) return true;
  const ids = el.getAttribute('aria-labelledby');
  return !!ids && ids.split(/\s+/).some((id) => document.getElementById(id)?.textContent?.trim());
};

/** Last resort: the title of the card or section the control sits in. */
function sectionTitle(el: Element): string | null {
  const card = el.closest('.n-card');
  return card?.querySelector('.n-card-header__main')?.textContent?.trim() || el.closest('section')?.querySelector('h2, h3')?.textContent?.trim() || null;
}

export function useAriaRepair(): void {
  const { t } = useI18n();
  let observer: MutationObserver | null = null;
  let queued = false;

  function repair(): void {
    queued = false;
    for (const h of document.querySelectorAll('[role="heading"]:not([aria-level])')) h.setAttribute('aria-level', '2');
    for (const box of document.querySelectorAll('.n-input-number')) {
      const buttons = box.querySelectorAll('.n-input__suffix button, .n-input__prefix button');
      const what = visibleLabel(box) ?? '';
      buttons.forEach((b, i) => {
        if (!named(b)) b.setAttribute('aria-label', `${i === 0 ? t('a11y.decrease') : t('a11y.increase')}${what ? ` ${what}` : ''}`);
      });
      const input = box.querySelector('input');
      if (input && !named(input) && what) input.setAttribute('aria-label', what);
    }
    for (const el of document.querySelectorAll('[role="switch"], [role="slider"], [role="progressbar"], .n-base-selection-input, .n-input__input-el')) {
      if (named(el) || (el instanceof HTMLInputElement && el.labels && el.labels.length > 0)) continue;
      const placeholder = el.getAttribute('placeholder') || el.closest('.n-base-selection')?.querySelector('.n-base-selection-placeholder')?.textContent?.trim() || null;
      const label = visibleLabel(el) ?? placeholder ?? (el.getAttribute('role') === 'progressbar' ? t('a11y.progress') : sectionTitle(el));
      if (label) {
        el.removeAttribute('aria-labelledby');
        el.setAttribute('aria-label', label);
      }
    }
  }

  onMounted(() => {
    repair();
    observer = new MutationObserver(() => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(repair);
    });
    observer.observe(document.body, { childList: true, subtree: true });
  });
  onBeforeUnmount(() => observer?.disconnect());
}
