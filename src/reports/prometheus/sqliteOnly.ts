import { ReportSourceError } from '../../core/errors.js';
import { isPrometheusSource } from './isPrometheusSource.js';

/**
 * Refuses a Prometheus source for a report it cannot make: one over per-user records (adoption,
 * recommendations, co-usage), which a store holds only as `user_id` labels when applications turn
 * user labels on, and which these reports do not read from labels; or `why` for another report.
 * @throws {ReportSourceError} when `from` is a Prometheus source.
 */
export function sqliteOnly(caller: string, from: unknown, why?: string): void {
  if (!isPrometheusSource(from)) return;
  throw new ReportSourceError(
    why ??
      `${caller} reads per-user records (first uses, installs, recommendations), which only the SQLite source keeps: ` +
        'run it on the database of an application with the sqlite backend (--db or ANALYTICS_DB_PATH, without --query-url). ' +
        'A Prometheus store has users only as user_id labels (ANALYTICS_USER_LABELS=true), one series per user, and this report does not read them.',
  );
}
