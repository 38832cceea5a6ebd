import type { z } from 'zod';
import { LabError, type LabErrorCode } from './errors';
import { msg, type LabMessage } from './messages';
import { unknownKeysMsgFromIssue } from './nearest-name';

/** A zod issue list → one sentence per problem, each naming the field, e.g. "optimizer.lr: must be > 0". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.length ? issue.path.map(String).join('.') : '(value)';
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/** The same list as a message: each field with its problem, unknown settings ("did you mean …?") in the reader's language. */
export function issuesMessage(issues: readonly z.core.$ZodIssue[]): LabMessage {
  let out: LabMessage | null = null;
  for (const issue of [...issues].reverse()) {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(value)';
    const text = (issue.code === 'unrecognized_keys' && unknownKeysMsgFromIssue(issue.keys, issue.message)) || issue.message;
    out = out ? msg('settings.fieldIssues', { field, issue: text, more: out }) : msg('settings.fieldIssue', { field, issue: text });
  }
  return out ?? msg('settings.fieldIssue', { field: '(value)', issue: '' });
}

/** Parse or throw a LabError whose message names every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string, code: LabErrorCode = 'BAD_ARGUMENT'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new LabError(code, msg('error.invalid', { what, issues: issuesMessage(result.error.issues) }), {
      issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return result.data;
}
