import { isLabCallName, labCalls, type LabCallName, type LabHandlers, type LabResults } from './contract';
import { LabError } from './errors';
import { msg } from './messages';
import { parseOrThrow } from './validation';

/** Validate raw arguments against the contract and call the handler: the one entry every transport uses. */
export async function dispatch(handlers: LabHandlers, method: unknown, rawArgs: unknown): Promise<LabResults[LabCallName]> {
  if (!isLabCallName(method)) throw new LabError('BAD_ARGUMENT', msg('error.unknownCall', { name: String(method) }));
  const schema = labCalls[method];
  const args = parseOrThrow(schema, Array.isArray(rawArgs) ? rawArgs : [], `arguments of ${method}`) as unknown[];
  const handler = handlers[method] as (...a: unknown[]) => Promise<LabResults[LabCallName]>;
  return handler(...args);
}
