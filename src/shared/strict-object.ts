import { z } from 'zod';
import { unknownKeysMessage } from './nearest-name';

/**
 * An object schema that refuses unknown keys, naming the nearest valid one ("did you mean `epochs`?"), so a typo
 * in a setting is an error instead of a silently ignored setting. `parseOrThrow` turns the sentence back into a
 * message (nearest-name.ts) so it is shown in the reader's language.
 */
export function strictObject<S extends z.ZodRawShape>(shape: S) {
  const valid = Object.keys(shape);
  return z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, valid) : undefined) });
}
