import type { ErrorType } from '../instruments/errorTypes.js';
import { DEMO_SKILLS, type SkillProfile } from './profiles.js';

/** Tools an agent platform typically offers beyond the eight core ones. */
const MORE_SKILLS = [
  'github_search_code',
  'jira_create_issue',
  'slack_post_message',
  'pdf_extract_text',
  'image_caption',
  'vector_search',
  'calendar_create_event',
  'stock_quote',
  'currency_convert',
  'wikipedia_lookup',
  'news_headlines',
  'maps_directions',
  'email_search',
  'drive_search',
  'crm_lookup',
  'invoice_create',
  'ocr_scan',
  'speech_to_text',
  'text_to_speech',
  'sentiment_analysis',
  'sql_explain',
  'log_search',
  'k8s_status',
  'deploy_service',
  'feature_flag_toggle',
  'browser_screenshot',
  'unit_convert',
  'timezone_convert',
] as const;

const FAILURE_MIXES: readonly Partial<Record<ErrorType, number>>[] = [
  { upstream: 0.03, timeout: 0.01 },
  { validation: 0.04, internal: 0.01 },
  { rate_limited: 0.04, auth: 0.01 },
  { upstream: 0.08, timeout: 0.03 },
  { internal: 0.06, cancelled: 0.02 },
  { auth: 0.02 },
];

/** A demo skill: its profile, popularity, and the day (from the start) it is released. */
export interface CatalogSkill extends SkillProfile {
  readonly releasedOnDay: number;
}

/**
 * `count` skills: the eight core profiles, then generated ones with seeded latency, failure,
 * rating and popularity; the last few are released late in the period, so they trend as new.
 */
export function demoCatalog(count: number, days: number, random: () => number): CatalogSkill[] {
  const core = DEMO_SKILLS.slice(0, Math.min(count, DEMO_SKILLS.length)).map((profile) => ({ ...profile, releasedOnDay: 0 }));
  const extra = MORE_SKILLS.slice(0, Math.max(0, count - core.length)).map((id, index) => ({
    id,
    weight: 12 / (index + 2),
    medianMs: Math.round(20 * Math.exp(random() * 4.5)),
    sigma: 0.3 + random() * 0.5,
    failures: FAILURE_MIXES[index % FAILURE_MIXES.length] as Partial<Record<ErrorType, number>>,
    meanStars: Math.round((3 + random() * 1.9) * 10) / 10,
    releasedOnDay: index >= MORE_SKILLS.length - 4 || index % 9 === 8 ? Math.max(1, days - 2 - (index % 3)) : 0,
  }));
  return [...core, ...extra];
}
