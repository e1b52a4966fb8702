import { InvalidSkillIdError } from '../core/errors.js';

/** Longest skill id accepted: long enough for namespaced ids, short enough to stay a label. */
export const MAX_SKILL_ID_LENGTH = 128;

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Throws {@link InvalidSkillIdError} (a TypeError) unless `skillId` can name a series. */
export function assertSkillId(skillId: unknown): asserts skillId is string {
  if (typeof skillId !== 'string') throw new InvalidSkillIdError(skillId, 'it must be a string');
  if (skillId.length === 0 || skillId.trim().length === 0) throw new InvalidSkillIdError(skillId, 'it is empty');
  if (skillId.length > MAX_SKILL_ID_LENGTH) {
    throw new InvalidSkillIdError(skillId, `it is ${skillId.length} characters long, more than ${MAX_SKILL_ID_LENGTH}`);
  }
  if (CONTROL.test(skillId)) throw new InvalidSkillIdError(skillId, 'it contains a control character');
}
