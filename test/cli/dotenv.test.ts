import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';

const TOKEN = 'glc_dotenv_token_that_must_never_print';

describe('toolweaver-analytics and .env', () => {
  const cwd = useWorkDirectory();

  it('reads .env in the working directory, and real environment variables win over it', async () => {
    await fixtureDatabase(cwd(), 'from-dotenv.db');
    await fixtureDatabase(cwd(), 'from-env.db');
    writeFileSync(join(cwd(), '.env'), '# settings\nANALYTICS_DB_PATH=./from-dotenv.db\nANALYTICS_DB_RETENTION_DAYS="30"\n');
    const fromFile = JSON.parse(expectExit(await cli(['status', '--json'], { cwd: cwd() }), 0).stdout) as { database: { path: string }; config: { sqlite: { retentionDays: number } } };
    assert.equal(fromFile.database.path, join(cwd(), 'from-dotenv.db'));
    assert.equal(fromFile.config.sqlite.retentionDays, 30);
    const overridden = JSON.parse(expectExit(await cli(['status', '--json'], { cwd: cwd(), env: { ANALYTICS_DB_PATH: 'from-env.db' } }), 0).stdout) as typeof fromFile;
    assert.equal(overridden.database.path, join(cwd(), 'from-env.db'));
    assert.equal(overridden.config.sqlite.retentionDays, 30);
  });

  it('turns on debug output for ANALYTICS_LOG_LEVEL=debug in .env', async () => {
    await fixtureDatabase(cwd());
    writeFileSync(join(cwd(), '.env'), 'ANALYTICS_LOG_LEVEL=DEBUG\n');
    const { stderr } = expectExit(await cli(['integrity', '--db', 'analytics.db'], { cwd: cwd() }), 0);
    assert.match(stderr, /^toolweaver-analytics: debug: database \S+analytics\.db \(from --db\)$/m);
  });

  it('never prints a token from .env or the environment: not in status, debug output or errors', async () => {
    await fixtureDatabase(cwd());
    writeFileSync(join(cwd(), '.env'), `ANALYTICS_BACKEND=sqlite,otlp\nOTLP_ENDPOINT=http://127.0.0.1:9/otlp\nOTLP_INSTANCE_ID=42\nOTLP_TOKEN=${TOKEN}\nOTEL_EXPORTER_OTLP_HEADERS=X-Api-Key=${TOKEN}-header\n`);
    const runs = await Promise.all([
      cli(['status'], { cwd: cwd() }),
      cli(['status', '--json', '--verbose'], { cwd: cwd() }),
      cli(['status'], { cwd: cwd(), env: { OTLP_TOKEN: `${TOKEN}-env` } }),
      // Credentials both in the URL and in OTLP_TOKEN: a configuration error that shows the URL.
      cli(['status', '--verbose'], { cwd: cwd(), env: { OTLP_ENDPOINT: `http://42:${TOKEN}@127.0.0.1:9/otlp` } }),
      cli(['prune', '--days', 'x'], { cwd: cwd(), env: { OTLP_TOKEN: `${TOKEN}-env` } }),
    ]);
    assert.deepEqual(runs.map((run) => run.code), [1, 1, 1, 2, 2]);
    for (const run of runs) assert.ok(!(run.stdout + run.stderr).includes(TOKEN), run.stdout + run.stderr);
    assert.match(runs[0]!.stdout, /^otlp\.token +\[REDACTED\]$/m);
    assert.match(runs[0]!.stdout, /^otlp\.headers\.X-Api-Key +\[REDACTED\]$/m);
    assert.match(runs[3]!.stderr, /^toolweaver-analytics: invalid configuration: .*\[REDACTED\]/m);
  });
});
