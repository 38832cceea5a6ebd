// Which native addon has its kernels registered (set by register.ts), for native helpers outside the kernels
// (batch preparation). A module of its own so that asking does not load the wasm backend or the kernels.
import type { OneDnnAddon } from './addon';

let active: OneDnnAddon | null = null;

export function setRegisteredAddon(addon: OneDnnAddon | null): void {
  active = addon;
}

/** The addon whose kernels are registered, or null when they are not. */
export function registeredAddon(): OneDnnAddon | null {
  return active;
}
