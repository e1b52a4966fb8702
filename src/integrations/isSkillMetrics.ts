import { SkillMetrics } from '../instruments/SkillMetrics.js';

/**
 * A SkillMetrics by its shape rather than `instanceof`: one made by another copy of the package in
 * the process (two versions installed, or one bundled into a dependency) records as well.
 */
export function isSkillMetrics(value: unknown): value is SkillMetrics {
  if (value instanceof SkillMetrics) return true;
  if (value === null || typeof value !== 'object') return false;
  try {
    const recorder = (value as { recorder?: { invoke?: unknown; skill?: unknown } }).recorder;
    return typeof recorder?.invoke === 'function' && typeof recorder.skill === 'function';
  } catch {
    return false;
  }
}
