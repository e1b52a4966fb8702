import { log } from '../core/log.js';
import { errorTypeIndex, type ErrorClassifier, type ErrorType } from './errorTypes.js';

/**
 * Says whether a call that returned `result` (without throwing) failed, for a tool that reports
 * failures in its result: `undefined` leaves it to the default rule (an MCP `CallToolResult` with
 * `isError: true` is a failure), `false` makes it a success, `true` a failure typed by the error
 * classifier (which is given the result), an {@link ErrorType} a failure of that type.
 */
export type ResultClassifier = (result: unknown) => ErrorType | boolean | undefined;

/** What types a failure result: the recorder's {@link SkillRecorder.errorTypeOf}. */
interface FailureTyper {
  errorTypeOf(error: unknown, classify: ErrorClassifier | undefined): number;
}

const INTERNAL = errorTypeIndex('internal');

/**
 * The default rule: an MCP `CallToolResult` reporting a tool error, i.e. an object with
 * `isError === true` and a `content` array. A getter that throws makes it no such result.
 */
export function isToolErrorResult(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  try {
    return (value as { isError?: unknown }).isError === true && Array.isArray((value as { content?: unknown }).content);
  } catch {
    return false;
  }
}

/**
 * The index in ERROR_TYPES of a call that returned `result`, or -1 for a success: `hook` decides
 * (see {@link ResultClassifier}), else the default rule; a failure it does not type is typed by
 * `typer` with `classify`, given the result as the error. A hook that throws or answers something
 * else counts the call as an internal failure, said once through our logger.
 */
export function failureTypeOf(
  result: unknown,
  hook: ResultClassifier | undefined,
  typer: FailureTyper,
  classify: ErrorClassifier | undefined,
): number {
  if (hook !== undefined) {
    let answer: unknown;
    try {
      answer = hook(result);
    } catch (hookError) {
      log.once('failure-of-threw', 'error', 'the failureOf hook threw; counting the call as an internal failure (said once)', hookError);
      return INTERNAL;
    }
    if (answer === false) return -1;
    if (answer === true) return typer.errorTypeOf(result, classify);
    if (answer !== undefined) {
      const index = typeof answer === 'string' ? errorTypeIndex(answer) : -1;
      if (index >= 0) return index;
      log.once(
        'failure-of-answer',
        'warn',
        `failureOf returned ${typeof answer === 'string' ? JSON.stringify(answer.slice(0, 40)) : typeof answer}, which is neither an error type nor true, false or undefined; counting the call as an internal failure. Return one of ERROR_TYPES, true, false or undefined.`,
      );
      return INTERNAL;
    }
  }
  return isToolErrorResult(result) ? typer.errorTypeOf(result, classify) : -1;
}
