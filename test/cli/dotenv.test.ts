import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';

const LOAD_IT = 'an application reads .env only if it loads it, e.g. node --env-file=.env';
const TOKEN = 'glc_dotenv_token_that_must_never_print';

describe('toolweaver-analytics and .env', () => {
  const cwd = useWorkDirectory();

  it('reads .env in the working directory, and real environment variables win over it', async () => {
    await fixtureDatabase(cwd(), 'from-dotenv.db');
    await fixtureDatabase(cwd(), 'from-env.db');
    writeFileSync(join(cwd(), '.env'), '# settings\nANALYTICS_DB_PATH=./from-dotenv.db\nANALYTICS_DB_RETENTION_DAYS="30"\n');
    const fromFile = JSON.parse(expectExit(await cli(['status', '--json'], { cwd: cwd() }), 0).stdout) as {
      database: { path: string };
      config: { sqlite: { retentionDays: number } };
    };
    assert.equal(fromFile.database.path, join(cwd(), 'from-dotenv.db'));
    assert.equal(fromFile.config.sqlite.retentionDays, 30);
    const overridden = JSON.parse(
      expectExit(await cli(['status', '--json'], { cwd: cwd(), env: { ANALYTICS_DB_PATH: 'from-env.db' } }), 0).stdout,
    ) as typeof fromFile;
    assert.equal(overridden.database.path, join(cwd(), 'from-env.db'));
    assert.equal(overridden.config.sqlite.retentionDays, 30);
  });

  describe('says where the database path came from when .env set it, since an application reads .env only if it loads it', () => {
    /** What the CLI says of a path set in .env, on stderr before the command's output. */
    const fromDotEnv = (path: string, name = 'ANALYTICS_DB_PATH') =>
      `toolweaver-analytics: database ${path} (${name} from .env; ${LOAD_IT})\n`;

    it('on stderr of every command that opens it, and not when --db or the real environment names it', async () => {
      mkdirSync(join(cwd(), 'data'));
      const path = await fixtureDatabase(join(cwd(), 'data'), 'a.db');
      writeFileSync(join(cwd(), '.env'), 'ANALYTICS_DB_PATH=./data/a.db\n');
      for (const args of [['leaderboard'], ['trends', '--json'], ['integrity'], ['export', '--table', 'skill_metrics']]) {
        const run = expectExit(await cli(args, { cwd: cwd() }), 0);
        assert.equal(run.stderr, fromDotEnv(path), args.join(' '));
        assert.ok(run.stdout.length > 0);
      }
      assert.equal(expectExit(await cli(['integrity', '--db', path], { cwd: cwd() }), 0).stderr, '');
      assert.equal(expectExit(await cli(['integrity'], { cwd: cwd(), env: { ANALYTICS_DB_PATH: path } }), 0).stderr, '');
      const missing = expectExit(await cli(['integrity'], { cwd: cwd(), env: { ANALYTICS_DB_PATH: '/nowhere/b.db' } }), 1);
      assert.match(missing.stderr, /^toolweaver-analytics: no database at \/nowhere\/b\.db: /);
      writeFileSync(join(cwd(), '.env'), 'ANALYTICS_DB_URL=sqlite:////nowhere/b.db\n');
      const missingFromDotEnv = expectExit(await cli(['integrity'], { cwd: cwd() }), 1);
      assert.ok(missingFromDotEnv.stderr.startsWith(fromDotEnv('/nowhere/b.db', 'ANALYTICS_DB_URL')), missingFromDotEnv.stderr);
    });

    it('in status, with the file an application that does not load .env uses instead', async () => {
      const path = await fixtureDatabase(cwd(), 'a.db');
      writeFileSync(join(cwd(), '.env'), 'ANALYTICS_DB_PATH=a.db\n');
      const human = expectExit(await cli(['status'], { cwd: cwd() }), 0);
      assert.equal(human.stderr, '');
      assert.ok(human.stdout.includes(`\nDatabase ${path} (ANALYTICS_DB_PATH from .env)\n`), human.stdout);
      const elsewhere = join(cwd(), '.toolweaver', 'analytics.db');
      const hint = `an application that does not load .env itself (node --env-file=.env) uses ${elsewhere}`;
      assert.ok(human.stdout.includes(hint), human.stdout);
      type Origin = { database: { path: string; origin: { from: string; name: string | null; withoutDotEnv?: string } } };
      const json = JSON.parse(expectExit(await cli(['status', '--json'], { cwd: cwd() }), 0).stdout) as Origin;
      assert.deepEqual(json.database.origin, { from: '.env', name: 'ANALYTICS_DB_PATH', withoutDotEnv: elsewhere });
      const realRun = await cli(['status', '--json'], { cwd: cwd(), env: { ANALYTICS_DB_PATH: path } });
      const real = JSON.parse(expectExit(realRun, 0).stdout) as Origin;
      assert.deepEqual(real.database.origin, { from: 'environment', name: 'ANALYTICS_DB_PATH' });
      const given = JSON.parse(expectExit(await cli(['status', '--json', '--db', path], { cwd: cwd() }), 0).stdout) as Origin;
      assert.deepEqual(given.database.origin, { from: 'option', name: '--db' });
      writeFileSync(join(cwd(), '.env'), '');
      const none = JSON.parse(expectExit(await cli(['status', '--json'], { cwd: cwd() }), 1).stdout) as Origin;
      assert.deepEqual(none.database.origin, { from: 'default', name: null });
    });
  });

  it('turns on debug output for ANALYTICS_LOG_LEVEL=debug in .env', async () => {
    await fixtureDatabase(cwd());
    writeFileSync(join(cwd(), '.env'), 'ANALYTICS_LOG_LEVEL=DEBUG\n');
    const { stderr } = expectExit(await cli(['integrity', '--db', 'analytics.db'], { cwd: cwd() }), 0);
    assert.match(stderr, /^toolweaver-analytics: debug: database \S+analytics\.db \(from --db\)$/m);
  });

  it('never prints a token from .env or the environment: not in status, debug output or errors', async () => {
    await fixtureDatabase(cwd());
    writeFileSync(
      join(cwd(), '.env'),
      `ANALYTICS_BACKEND=sqlite,otlp\nOTLP_ENDPOINT=http://127.0.0.1:9/otlp\nOTLP_INSTANCE_ID=42\nOTLP_TOKEN=${TOKEN}\nOTEL_EXPORTER_OTLP_HEADERS=X-Api-Key=${TOKEN}-header\n`,
    );
    const runs = await Promise.all([
      cli(['status'], { cwd: cwd() }),
      cli(['status', '--json', '--verbose'], { cwd: cwd() }),
      cli(['status'], { cwd: cwd(), env: { OTLP_TOKEN: `${TOKEN}-env` } }),
      // Credentials both in the URL and in OTLP_TOKEN: a configuration error that shows the URL.
      cli(['status', '--verbose'], { cwd: cwd(), env: { OTLP_ENDPOINT: `http://42:${TOKEN}@127.0.0.1:9/otlp` } }),
      cli(['prune', '--days', 'x'], { cwd: cwd(), env: { OTLP_TOKEN: `${TOKEN}-env` } }),
    ]);
    assert.deepEqual(
      runs.map((run) => run.code),
      [1, 1, 1, 2, 2],
    );
    for (const run of runs) assert.ok(!(run.stdout + run.stderr).includes(TOKEN), run.stdout + run.stderr);
    assert.match(runs[0]!.stdout, /^otlp\.token +\[REDACTED\]$/m);
    assert.match(runs[0]!.stdout, /^otlp\.headers\.X-Api-Key +\[REDACTED\]$/m);
    assert.match(runs[3]!.stderr, /^toolweaver-analytics: invalid configuration: .*\[REDACTED\]/m);
  });
});
