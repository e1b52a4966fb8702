import { ToolInputParsingException } from '@langchain/core/tools';
import { defaultSkillMetrics } from '../../instruments/defaultSkillMetrics.js';
import type { ErrorClassifier } from '../../instruments/errorTypes.js';
import type { SkillMetrics } from '../../instruments/SkillMetrics.js';

/**
 * True for LangChain's ToolInputParsingException: the model's arguments did not match the tool's
 * schema. Its `name` is plain `Error`, so the class tells, or its constructor's name when another
 * copy of @langchain/core (its CommonJS build) threw it.
 */
export function isToolInputParsingError(error: unknown): boolean {
  if (error instanceof ToolInputParsingException) return true;
  try {
    return (error as { constructor?: { name?: unknown } } | null)?.constructor?.name === 'ToolInputParsingException';
  } catch {
    return false;
  }
}

/**
 * The classifier of LangChain tools: `own` first, then a ToolInputParsingException is
 * `validation`, then the classifier of the SkillMetrics the call is recorded into (a tool's own
 * classifier replaces it, so we ask it ourselves), then the built-in rules.
 */
export function langChainClassifier(own: ErrorClassifier | undefined, metrics: SkillMetrics | undefined): ErrorClassifier {
  return (error) => {
    const type = own?.(error);
    if (type !== undefined) return type;
    if (isToolInputParsingError(error)) return 'validation';
    return (metrics ?? defaultSkillMetrics()).recorder.options.classifyError?.(error);
  };
}
