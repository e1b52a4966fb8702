import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { DatabaseBusyError, DatabaseFileError, DatabaseVersionError, SqliteWriteError } from '../../src/core/errors.js';
import { fromWire, toWire } from '../../src/sqlite-exporter/wireError.js';

/** A real SQLITE_FULL from better-sqlite3, as a write into a full database throws it. */
function sqliteFull(): Error {
  const db = new Database(':memory:');
  try {
    db.exec('CREATE TABLE t (x)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000));
  } catch (error) {
    return error as Error;
  } finally {
    db.close();
  }
  throw new Error('expected SQLITE_FULL');
}

/** Through structured cloning, as a message between threads carries it. */
function acrossThreads(error: unknown): Error {
  return fromWire(structuredClone(toWire(error)));
}

describe('errors from the writer thread', () => {
  const cases: [string, Error, Record<string, unknown>][] = [
    [
      'DatabaseFileError',
      new DatabaseFileError('/data/a.db', 'corrupt', 'SQLITE_CORRUPT'),
      { code: 'TW_DB_FILE', reason: 'corrupt', detail: 'SQLITE_CORRUPT', path: '/data/a.db' },
    ],
    ['DatabaseBusyError', new DatabaseBusyError('/data/a.db', 'stayed locked', 'try again'), { code: 'TW_DB_BUSY', path: '/data/a.db' }],
    ['DatabaseVersionError', new DatabaseVersionError('/data/a.db', 9, 3), { code: 'TW_DB_VERSION', found: 9, supported: 3 }],
    [
      'SqliteWriteError',
      new SqliteWriteError('/data/a.db', '3 calls', { cause: sqliteFull() }),
      { code: 'TW_DB_WRITE', sqliteCode: 'SQLITE_FULL', path: '/data/a.db' },
    ],
  ];
  for (const [name, error, fields] of cases) {
    it(`come back as the ${name} they were, with message, fields and stack`, () => {
      const back = acrossThreads(error);
      assert.ok(back instanceof error.constructor, `${back.name} is a ${name}`);
      assert.ok(back instanceof Error);
      assert.equal(back.name, name);
      assert.equal(back.message, error.message);
      assert.equal(back.stack, error.stack);
      for (const [key, value] of Object.entries(fields)) assert.equal((back as unknown as Record<string, unknown>)[key], value, key);
    });
  }

  it("keep SQLite's code on the cause of a failed write", () => {
    const back = acrossThreads(cases[3]![1]) as SqliteWriteError;
    assert.equal((back.cause as { code?: string }).code, 'SQLITE_FULL');
    assert.equal((back.cause as Error).name, 'SqliteError');
  });

  it('come back as the TypeError or RangeError that a check of options threw', () => {
    const type = acrossThreads(new TypeError('openAnalyticsDatabase: path must be absolute'));
    assert.deepEqual([type instanceof TypeError, type.message], [true, 'openAnalyticsDatabase: path must be absolute']);
    assert.ok(acrossThreads(new RangeError('busyTimeoutMs')) instanceof RangeError);
  });

  it('come back as an Error with their name and message when they are of another class, or not errors at all', () => {
    const syntax = acrossThreads(new SyntaxError('unexpected token'));
    assert.deepEqual(
      [syntax instanceof SyntaxError, syntax instanceof Error, syntax.name, syntax.message],
      [false, true, 'SyntaxError', 'unexpected token'],
    );
    const thrown = acrossThreads('a string was thrown');
    assert.deepEqual([thrown instanceof Error, thrown.message], [true, 'a string was thrown']);
  });
});
