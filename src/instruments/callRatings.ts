import type { SkillState } from './SkillRegistry.js';

/**
 * A rating of one call, as the SQLite record keeps it (skill_call_rating): the latest rating of a
 * call by a user replaces the earlier ones there.
 */
export interface CallRating {
  /** The call it rates, e.g. the model's tool call id. */
  readonly callId: string;
  /** Who rated it; null for nobody known. */
  readonly userId: string | null;
  readonly orgId: string | null;
  readonly agentName: string | null;
  readonly skillId: string;
  /** 1 to 5. */
  readonly stars: number;
  /** When it was given, epoch milliseconds. */
  readonly ratedAtMs: number;
}

/** The longest call id a rating may name, as the other ids of a call. */
export const MAX_CALL_ID_LENGTH = 256;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The call id of a rating's options, undefined when none is given.
 * @throws {TypeError} when it is not a non-empty string of at most 256 printable characters.
 */
export function callIdOption(callId: unknown, where: string): string | undefined {
  if (callId === undefined) return undefined;
  if (typeof callId === 'string' && callId !== '' && callId.length <= MAX_CALL_ID_LENGTH && !CONTROL.test(callId)) return callId;
  const got =
    typeof callId === 'string'
      ? callId === ''
        ? 'an empty string'
        : callId.length > MAX_CALL_ID_LENGTH
          ? `a string of ${callId.length} characters`
          : `${JSON.stringify(callId.slice(0, 40))}, which has a control character`
      : callId === null
        ? 'null'
        : `a ${typeof callId}`;
  throw new TypeError(
    `${where}: option "callId" must be the id of the call rated (e.g. the model's tool call id), a non-empty string of at most ` +
      `${MAX_CALL_ID_LENGTH} printable characters, got ${got}; leave it out to rate the skill rather than a call`,
  );
}

/** The key of a call's rating by a user, in memory and in skill_call_rating: the user ('' for none) and the call. */
export function callRatingKey(callId: string, userId: string | null | undefined): string {
  return `${userId ?? ''}\u0000${callId}`;
}

/** The latest rating of a call the process remembers. */
export interface RememberedRating {
  readonly skill: SkillState;
  readonly stars: number;
}

/**
 * How many rated calls a recorder remembers, so that the metric backends count a call rated again
 * once: a histogram cannot take an observation back. A call rated again after this many other
 * calls were rated (or after the process restarted) is counted again there; SQLite replaces it
 * exactly whatever the time between.
 */
export const REMEMBERED_CALLS = 10_000;

/**
 * The calls rated lately, each with its latest rating, least recently rated first: a Map keeps its
 * insertion order, so moving a call to the end on each rating and dropping from the front bounds
 * it to the most recent `capacity`.
 */
export class RecentlyRatedCalls {
  readonly #capacity: number;
  readonly #ratings = new Map<string, RememberedRating>();

  constructor(capacity: number = REMEMBERED_CALLS) {
    this.#capacity = capacity;
  }

  /** Remembers `rating` as the latest of `key`; returns the one it replaces, undefined for a call not remembered. */
  replace(key: string, rating: RememberedRating): RememberedRating | undefined {
    const earlier = this.#ratings.get(key);
    if (earlier !== undefined) this.#ratings.delete(key);
    this.#ratings.set(key, rating);
    if (this.#ratings.size > this.#capacity) this.#ratings.delete(this.#ratings.keys().next().value as string);
    return earlier;
  }

  /** Calls remembered. */
  get size(): number {
    return this.#ratings.size;
  }
}
