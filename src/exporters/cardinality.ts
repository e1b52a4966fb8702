import { ERROR_TYPES } from '../instruments/errorTypes.js';

/**
 * The SDK's per-stream series limit for the readers of our backends, from our own
 * `cardinalityLimit` (series per metric before ours fold into the overflow series): the opt-in
 * semconv histogram has a stream per outcome of each (a success, and one per error type), so the
 * SDK must hold that many, or it would fold series ours keeps apart. Never below the SDK's own
 * default of 2000. It applies to every metric those readers read, the application's included.
 */
export function readerCardinalityLimit(cardinalityLimit: number): number {
  return Math.max(2000, (cardinalityLimit + 1) * (ERROR_TYPES.length + 1));
}
