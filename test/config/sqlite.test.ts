import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/loadConfig.js';
import type { SqliteConfig } from '../../src/config/types.js';
import { configErrorOf, lineAbout, problemAbout, type Env } from './helpers.js';

const HOME = '/home/tester';
const sqlite = (env: Env, options = {}): SqliteConfig => loadConfig({ ANALYTICS_BACKEND: 'sqlite', HOME, ...env }, options).sqlite;
const on = (env: Env): Env => ({ ANALYTICS_BACKEND: 'sqlite', HOME, ...env });

describe('sqlite path', () => {
  it('defaults to ~/.toolweaver/analytics.db under HOME', () => {
    assert.equal(sqlite({}).path, '/home/tester/.toolweaver/analytics.db');
  });

  it("falls back to the account's home directory when HOME is unset or empty", () => {
    const expected = join(homedir(), '.toolweaver', 'analytics.db');
    assert.equal(loadConfig({}).sqlite.path, expected);
    assert.equal(loadConfig({ HOME: '' }).sqlite.path, expected);
  });

  it('expands ~ in ANALYTICS_DB_PATH from HOME', () => {
    assert.equal(sqlite({ ANALYTICS_DB_PATH: '~/data/a.db' }).path, '/home/tester/data/a.db');
    assert.equal(sqlite({ ANALYTICS_DB_PATH: '~' }).path, '/home/tester');
  });

  it('makes a relative path absolute from the working directory', () => {
    assert.equal(sqlite({ ANALYTICS_DB_PATH: 'data/a.db' }).path, resolve('data/a.db'));
  });

  it('keeps :memory: and absolute paths as they are', () => {
    assert.equal(sqlite({ ANALYTICS_DB_PATH: ':memory:' }).path, ':memory:');
    assert.equal(sqlite({ ANALYTICS_DB_PATH: '/var/lib/tw.db' }).path, '/var/lib/tw.db');
  });

  it('refuses ~user/, which it does not expand', () => {
    assert.match(
      lineAbout('ANALYTICS_DB_PATH', on({ ANALYTICS_DB_PATH: '~bob/a.db' })),
      /^ANALYTICS_DB_PATH=~bob\/a\.db: ~user\/ is not expanded, only ~\/ is; expected a file path/,
    );
  });

  for (const [url, path] of [
    ['sqlite:///var/lib/tw.db', '/var/lib/tw.db'],
    ['sqlite:////var/lib/tw.db', '/var/lib/tw.db'],
    ['SQLITE:///var/lib/tw.db', '/var/lib/tw.db'],
    ['sqlite:///:memory:', ':memory:'],
  ]) {
    it(`reads ANALYTICS_DB_URL=${url} as ${path}`, () => {
      assert.equal(sqlite({ ANALYTICS_DB_URL: url }).path, path);
    });
  }

  for (const url of ['postgresql://db/analytics', 'sqlite://relative.db', 'sqlite:///', '/var/lib/tw.db']) {
    it(`refuses ANALYTICS_DB_URL=${url}, showing the accepted forms`, () => {
      assert.equal(
        lineAbout('ANALYTICS_DB_URL', on({ ANALYTICS_DB_URL: url })),
        `ANALYTICS_DB_URL=${url}: not a sqlite:/// URL with a path; expected sqlite:///absolute/path, sqlite:////absolute/path (SQLAlchemy style) or sqlite:///:memory:`,
      );
    });
  }

  it('accepts ANALYTICS_DB_PATH and ANALYTICS_DB_URL together when they name the same file', () => {
    assert.equal(sqlite({ ANALYTICS_DB_PATH: '~/tw.db', ANALYTICS_DB_URL: 'sqlite:////home/tester/tw.db' }).path, '/home/tester/tw.db');
  });

  it('refuses ANALYTICS_DB_PATH and ANALYTICS_DB_URL naming different files', () => {
    assert.equal(
      lineAbout('ANALYTICS_DB_URL', on({ ANALYTICS_DB_PATH: '/a.db', ANALYTICS_DB_URL: 'sqlite:///b.db' })),
      'ANALYTICS_DB_URL=sqlite:///b.db: it names /b.db but ANALYTICS_DB_PATH names /a.db: set only one of them, or make them agree',
    );
  });

  it('lets options.sqlite.path win over both variables, expanding ~ too', () => {
    assert.equal(
      sqlite({ ANALYTICS_DB_PATH: '/a.db', ANALYTICS_DB_URL: 'sqlite:///b.db' }, { sqlite: { path: '~/c.db' } }).path,
      '/home/tester/c.db',
    );
  });

  it('refuses an empty options.sqlite.path', () => {
    assert.match(lineAbout('options.sqlite.path', {}, { sqlite: { path: '' } }), /^options\.sqlite\.path="": expected a file path/);
  });
});

describe('sqlite flush interval and retention', () => {
  it('defaults to a flush every 10 s and 365 days of retention', () => {
    assert.deepEqual([sqlite({}).flushIntervalMs, sqlite({}).retentionDays], [10_000, 365]);
  });

  it('reads ANALYTICS_DB_FLUSH_INTERVAL in seconds, fractions allowed', () => {
    assert.equal(sqlite({ ANALYTICS_DB_FLUSH_INTERVAL: '2.5' }).flushIntervalMs, 2500);
  });

  it('refuses a flush interval that is not positive', () => {
    assert.match(
      lineAbout('ANALYTICS_DB_FLUSH_INTERVAL', on({ ANALYTICS_DB_FLUSH_INTERVAL: '0' })),
      /^ANALYTICS_DB_FLUSH_INTERVAL=0: expected seconds, more than 0/,
    );
  });

  it('reads ANALYTICS_DB_RETENTION_DAYS as a whole number of days, 1 or more', () => {
    assert.equal(sqlite({ ANALYTICS_DB_RETENTION_DAYS: '30' }).retentionDays, 30);
    assert.match(
      problemAbout('ANALYTICS_DB_RETENTION_DAYS', on({ ANALYTICS_DB_RETENTION_DAYS: '0' })).expected,
      /whole number of days, 1 or more/,
    );
    assert.match(problemAbout('ANALYTICS_DB_RETENTION_DAYS', on({ ANALYTICS_DB_RETENTION_DAYS: '1.5' })).expected, /whole number of days/);
  });

  it('lets options win', () => {
    const config = sqlite(
      { ANALYTICS_DB_FLUSH_INTERVAL: '2', ANALYTICS_DB_RETENTION_DAYS: '30' },
      { sqlite: { flushIntervalMs: 500, retentionDays: 7 } },
    );
    assert.deepEqual([config.flushIntervalMs, config.retentionDays], [500, 7]);
  });
});

describe('sqlite busy timeout', () => {
  it('reads ANALYTICS_DB_BUSY_TIMEOUT as whole milliseconds', () => {
    assert.equal(sqlite({ ANALYTICS_DB_BUSY_TIMEOUT: '500' }).busyTimeoutMs, 500);
  });

  it('refuses a fraction of a millisecond, which SQLite cannot wait, in the variable and the option', () => {
    assert.match(
      lineAbout('ANALYTICS_DB_BUSY_TIMEOUT', on({ ANALYTICS_DB_BUSY_TIMEOUT: '0.5' })),
      /^ANALYTICS_DB_BUSY_TIMEOUT=0\.5: expected whole milliseconds, 0 or more/,
    );
    assert.match(
      lineAbout('options.sqlite.busyTimeoutMs', {}, { sqlite: { busyTimeoutMs: 0.5 } }),
      /^options\.sqlite\.busyTimeoutMs=0\.5: expected whole milliseconds from 0/,
    );
  });
});

describe('sqlite variables while sqlite is off', () => {
  it('does not check them, since a shared .env may point the Python tools at another database', () => {
    assert.doesNotThrow(() =>
      loadConfig({
        ANALYTICS_BACKEND: 'prometheus',
        ANALYTICS_DB_URL: 'postgresql://db/analytics',
        ANALYTICS_DB_RETENTION_DAYS: 'forever',
      }),
    );
  });

  it('checks them once ANALYTICS_DB_ENABLED turns sqlite on', () => {
    const sources = configErrorOf({
      ANALYTICS_BACKEND: 'prometheus',
      ANALYTICS_DB_ENABLED: 'true',
      ANALYTICS_DB_URL: 'postgresql://db/analytics',
    }).problems.map((p) => p.source);
    assert.deepEqual(sources, ['ANALYTICS_DB_URL']);
  });
});
