// A CommonJS application written in TypeScript and compiled with `module: node16`: its imports of
// toolweaver-analytics become require() calls, which type-check against the .d.cts types of the
// package's require condition (no TS1479) and run as require(esm) on Node 20.19+ and 22.12+.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors, startAnalytics, withContext, type Identity } from 'toolweaver-analytics';
import { openAnalyticsDatabase } from 'toolweaver-analytics/sqlite';

const { InvalidRatingError } = errors;

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`CommonJS consumer: ${what}`);
  console.log(`ok - cjs: ${what}`);
}

async function main(): Promise<void> {
  check(typeof module === 'object' && typeof require === 'function', 'compiled as CommonJS');
  // A dynamic import from the same file is the same module, not a second copy (TypeScript sees the
  // .d.ts flavour of its types there, and the .d.cts one here: the comparison goes through unknown).
  const imported = await import('toolweaver-analytics');
  const same = (a: unknown, b: unknown): boolean => a === b;
  check(
    same(imported.startAnalytics, startAnalytics) && same(imported.errors.InvalidRatingError, InvalidRatingError),
    'require() and import() give one module',
  );

  const dir = mkdtempSync(join(tmpdir(), 'consumer-cjs-'));
  try {
    const path = join(dir, 'cjs.db');
    const analytics = startAnalytics({ env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' }, flushOnExit: false });
    await analytics.ready;
    const search = analytics.wrap('web_search', (query: string) => `results for ${query}`);
    const who: Identity = { userId: 'cjs-user' };
    check(withContext(who, () => search('otel')) === 'results for otel', 'a wrapped skill answers');
    try {
      analytics.rate('web_search', 7);
      check(false, 'a rating of 7 stars is refused');
    } catch (error) {
      check(
        error instanceof InvalidRatingError && error.code === 'TW_INVALID_RATING',
        'a rating of 7 stars is refused with InvalidRatingError',
      );
    }
    await analytics.shutdown();

    const db = openAnalyticsDatabase(path, { readonly: true });
    try {
      const row = db
        .prepare("SELECT sum(execution_count) AS calls FROM skill_usage WHERE skill_id = 'web_search' AND user_id = 'cjs-user'")
        .get() as { calls: number };
      check(row.calls === 1, 'the call is written to SQLite');
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
