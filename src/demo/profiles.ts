import type { ErrorType } from '../instruments/errorTypes.js';

/** How one demo skill behaves: how often it is called, how long it takes, how it fails, how it is rated. */
export interface SkillProfile {
  readonly id: string;
  /** Relative call frequency. */
  readonly weight: number;
  readonly medianMs: number;
  /** Spread of the log-normal latency. */
  readonly sigma: number;
  /** Probability of each failure type per call. */
  readonly failures: Partial<Record<ErrorType, number>>;
  /** Mean star rating users give it. */
  readonly meanStars: number;
}

/** Agent tools with the latency and failure shapes seen in practice. */
export const DEMO_SKILLS: readonly SkillProfile[] = [
  { id: 'web_search', weight: 30, medianMs: 180, sigma: 0.5, failures: { upstream: 0.03, timeout: 0.01 }, meanStars: 4.4 },
  { id: 'run_sql', weight: 20, medianMs: 25, sigma: 0.6, failures: { validation: 0.04 }, meanStars: 4.1 },
  { id: 'send_email', weight: 8, medianMs: 320, sigma: 0.3, failures: { rate_limited: 0.05, auth: 0.01 }, meanStars: 3.9 },
  { id: 'summarize_doc', weight: 12, medianMs: 1400, sigma: 0.4, failures: { upstream: 0.02, timeout: 0.02 }, meanStars: 4.6 },
  { id: 'fetch_weather', weight: 10, medianMs: 60, sigma: 0.4, failures: { upstream: 0.12 }, meanStars: 3.2 },
  {
    id: 'code_interpreter',
    weight: 8,
    medianMs: 900,
    sigma: 0.7,
    failures: { internal: 0.06, timeout: 0.03, cancelled: 0.02 },
    meanStars: 4.0,
  },
  { id: 'calendar_lookup', weight: 7, medianMs: 90, sigma: 0.3, failures: { auth: 0.03 }, meanStars: 4.2 },
  { id: 'translate_text', weight: 5, medianMs: 450, sigma: 0.35, failures: { rate_limited: 0.02 }, meanStars: 4.7 },
];

/** Users of the demo, spread over a few organisations. */
export function demoUsers(count: number): { userId: string; orgId: string }[] {
  const orgs = ['acme', 'globex', 'initech', 'umbrella'];
  return Array.from({ length: count }, (_, index) => ({
    userId: `user_${String(index + 1).padStart(3, '0')}`,
    orgId: orgs[index % orgs.length] as string,
  }));
}
