/** "Did you mean …?": the valid name closest to a mistyped one, by edit distance. */
import { english, msg, type LabMessage } from './messages';

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[t.length]!;
}

/** The closest candidate, or null when none is close enough to be a plausible typo (at most a third of the name wrong). */
export function nearestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== null && bestDistance <= Math.max(1, Math.ceil(Math.max(name.length, best.length) / 3)) ? best : null;
}

/** One sentence for unknown keys: each named, with the nearest valid key when there is one. */
export function unknownKeysMsg(keys: readonly string[], valid: readonly string[]): LabMessage {
  const named = keys.map((key) => {
    const near = nearestName(key, valid);
    return near ? msg('settings.unknownKeyNear', { key, near }) : msg('settings.unknownKey', { key });
  });
  return msg('settings.unknownKeys', { n: keys.length, keys: named, valid: [...valid] });
}

/** The same sentence in English (zod issue messages are strings). */
export function unknownKeysMessage(keys: readonly string[], valid: readonly string[]): string {
  return english(unknownKeysMsg(keys, valid));
}

const VALID_MARK = '; valid settings here: ';

/**
 * The message behind an English unknown-keys sentence (a zod issue keeps only the text and the keys): the valid
 * names are read back from the sentence this module wrote. Null for any other text.
 */
export function unknownKeysMsgFromIssue(keys: readonly string[], text: string): LabMessage | null {
  const at = text.lastIndexOf(VALID_MARK);
  if (at < 0) return null;
  const valid = text.slice(at + VALID_MARK.length).split(', ');
  const m = unknownKeysMsg(keys, valid);
  return english(m) === text ? m : null;
}
