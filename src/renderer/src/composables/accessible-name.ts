/**
 * `v-accessible-name="label"`: gives a Naive UI control the accessible name of the label the page shows beside it.
 * NSwitch puts role="switch" on its root, but NSlider puts role="slider" on inner handles that no prop reaches, so the
 * directive writes aria-label on the element that carries the role (every handle of a range slider).
 * Filterable NSelects are named through their `input-props` instead.
 */
import type { Directive } from 'vue';

const ROLES = '[role="slider"], [role="switch"]';

function apply(el: HTMLElement, name: string | null | undefined): void {
  const targets = el.matches(ROLES) ? [el] : [...el.querySelectorAll<HTMLElement>(ROLES)];
  for (const target of targets) {
    if (name) target.setAttribute('aria-label', name);
    else target.removeAttribute('aria-label');
  }
}

export const vAccessibleName: Directive<HTMLElement, string | null | undefined> = {
  mounted: (el, binding) => apply(el, binding.value),
  updated: (el, binding) => apply(el, binding.value),
};
