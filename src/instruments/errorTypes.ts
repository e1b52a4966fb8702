/**
 * The small, closed taxonomy of `error_type`. A closed set keeps series bounded and lets one
 * dashboard read every application's failures the same way.
 */
export const ERROR_TYPES = ['timeout', 'cancelled', 'validation', 'auth', 'rate_limited', 'upstream', 'internal'] as const;

/** One value of the `error_type` attribute. */
export type ErrorType = (typeof ERROR_TYPES)[number];

/** A hook that names the type of a skill's error; `undefined` falls back to the built-in rules. */
export type ErrorClassifier = (error: unknown) => ErrorType | undefined;

const TYPE_INDEX: ReadonlyMap<string, number> = new Map(ERROR_TYPES.map((type, index) => [type, index]));

/** Position of an error type in {@link ERROR_TYPES}, or -1 for a string outside the taxonomy. */
export function errorTypeIndex(type: string): number {
  return TYPE_INDEX.get(type) ?? -1;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const VALIDATION_NAMES = new Set(['ValidationError', 'ZodError', 'SyntaxError', 'InvalidArgumentError']);

/**
 * The built-in rules, in order: `TimeoutError` or a timeout code → timeout; `AbortError` → cancelled;
 * HTTP status 401/403 → auth, 429 → rate_limited, 400/404/409/422 → validation, 5xx → upstream;
 * network error codes → upstream; validation-like names → validation; anything else → internal.
 */
export function classifyError(error: unknown): ErrorType {
  if (error === null || typeof error !== 'object') return 'internal';
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code))) return 'timeout';
  if (name === 'AbortError' || code === 'ABORT_ERR') return 'cancelled';
  const status = httpStatusOf(error);
  if (status !== undefined) {
    const byStatus = classifyStatus(status);
    if (byStatus !== undefined) return byStatus;
  }
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'upstream';
  if (typeof name === 'string' && VALIDATION_NAMES.has(name)) return 'validation';
  return 'internal';
}

function classifyStatus(status: number): ErrorType | undefined {
  if (status === 401 || status === 403) return 'auth';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 504) return 'timeout';
  if (status === 400 || status === 404 || status === 409 || status === 422) return 'validation';
  if (status >= 500 && status <= 599) return 'upstream';
  return undefined;
}

function httpStatusOf(error: object): number | undefined {
  const candidate = error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  const status = candidate.status ?? candidate.statusCode ?? candidate.response?.status;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}
