import type { z } from 'zod';
import { LabError, type LabErrorCode } from './errors';

/** A zod issue list → one sentence per problem, each naming the field, e.g. "optimizer.lr: must be > 0". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.length ? issue.path.map(String).join('.') : '(value)';
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/** Parse or throw a LabError whose message names every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string, code: LabErrorCode = 'BAD_ARGUMENT'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new LabError(code, `Invalid ${what}: ${describeIssues(result.error.issues)}.`, {
      issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    });
  }
  return result.data;
}
