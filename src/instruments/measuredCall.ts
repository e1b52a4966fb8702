import { InvalidCallError } from '../core/errors.js';
import { errorTypeIndex } from './errorTypes.js';
import { MAX_IDENTITY_LENGTH, type Identity } from './identity.js';
import type { RecordedCall } from './SkillMetrics.js';
import type { MeasuredCall, SkillRecorder } from './SkillRecorder.js';

/** How far ahead of this machine's clock a call's `at` may be (another machine's clock). */
const CLOCK_SKEW_MS = 60_000;

/**
 * Validates a call given to `recordCall` and turns it into what the recorder records: every
 * problem is an error thrown now, before anything is counted. `contextIdentity` is used when the
 * call names no user and no org.
 */
export function measuredCall(
  skillId: string,
  call: RecordedCall,
  recorder: SkillRecorder,
  contextIdentity: Identity | undefined,
): MeasuredCall {
  if (call === null || typeof call !== 'object')
    throw new TypeError(
      `recordCall(${JSON.stringify(skillId)}, call) takes an object such as { latencyMs: 120 }, got ${call === null ? 'null' : typeof call}`,
    );
  const { latencyMs, error, errorType } = call;
  if (typeof latencyMs !== 'number')
    throw new TypeError(`recordCall(${JSON.stringify(skillId)}): latencyMs must be a number of milliseconds, got ${typeof latencyMs}`);
  if (!Number.isFinite(latencyMs) || latencyMs < 0)
    throw new InvalidCallError(skillId, `latencyMs must be a finite number of milliseconds, 0 or more, got ${latencyMs}`);
  let type = -1;
  if (errorType !== undefined) {
    type = errorTypeIndex(String(errorType));
    if (type < 0)
      throw new InvalidCallError(
        skillId,
        `errorType ${JSON.stringify(errorType)} is not one of timeout, cancelled, validation, auth, rate_limited, upstream, internal`,
      );
  } else if (error !== undefined) {
    type = recorder.errorTypeOf(error, undefined);
  }
  const atMs = timeOf(skillId, call.at, recorder);
  const identity =
    call.userId === undefined && call.orgId === undefined
      ? contextIdentity
      : { userId: idOf(skillId, 'userId', call.userId), orgId: idOf(skillId, 'orgId', call.orgId) };
  return { latencyMs, failed: type >= 0, errorTypeIndex: type, atMs, identity };
}

function timeOf(skillId: string, at: Date | number | undefined, recorder: SkillRecorder): number | undefined {
  if (at === undefined) return undefined;
  const atMs = at instanceof Date ? at.getTime() : at;
  if (typeof atMs !== 'number')
    throw new TypeError(`recordCall(${JSON.stringify(skillId)}): at must be a Date or epoch milliseconds, got ${typeof at}`);
  if (!Number.isFinite(atMs)) throw new InvalidCallError(skillId, 'at is not a valid time');
  const now = recorder.clock.now();
  if (atMs > now + CLOCK_SKEW_MS)
    throw new InvalidCallError(skillId, `at (${new Date(atMs).toISOString()}) is in the future; a call is recorded once it has been made`);
  for (const store of recorder.details) {
    const oldest = store.oldestAt(now);
    if (oldest !== undefined && atMs < oldest) {
      throw new InvalidCallError(
        skillId,
        `at (${new Date(atMs).toISOString()}) is older than the database keeps (ANALYTICS_DB_RETENTION_DAYS, oldest ${new Date(oldest).toISOString()})`,
      );
    }
  }
  return atMs;
}

function idOf(skillId: string, name: 'userId' | 'orgId', value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  // eslint-disable-next-line no-control-regex
  if (text === undefined || text.length > MAX_IDENTITY_LENGTH || /[\u0000-\u001f\u007f]/.test(text)) {
    throw new TypeError(
      `recordCall(${JSON.stringify(skillId)}): ${name} must be a string of at most ${MAX_IDENTITY_LENGTH} printable characters or a number, got ${typeof value === 'string' ? 'another string' : typeof value}`,
    );
  }
  return text;
}
