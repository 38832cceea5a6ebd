/** "Did you mean …?": the valid name closest to a mistyped one, by edit distance. */

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
export function unknownKeysMessage(keys: readonly string[], valid: readonly string[]): string {
  const parts = keys.map((k) => {
    const near = nearestName(k, valid);
    return near ? `"${k}" (did you mean \`${near}\`?)` : `"${k}"`;
  });
  return `unknown setting${keys.length > 1 ? 's' : ''} ${parts.join(', ')}; valid settings here: ${valid.join(', ')}`;
}
