import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AnalyticsError, DatabaseBusyError, DatabaseFileError, DatabaseVersionError } from '../../src/core/errors.js';

const DOCS = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

describe('the database errors', () => {
  const cases: { error: AnalyticsError; name: string; code: string; message: string }[] = [
    {
      error: new DatabaseFileError('/data/analytics.db', 'foreign', 'application_id 0x0000beef'),
      name: 'DatabaseFileError',
      code: 'TW_DB_FILE',
      message:
        "The file /data/analytics.db is another application's SQLite database (application_id 0x0000beef): it was left untouched. " +
        'Restore a backup into it with `toolweaver-analytics restore <backup> /data/analytics.db`, move it aside, or point ANALYTICS_DB_PATH at another file',
    },
    {
      error: new DatabaseFileError('/data/backup.db', 'corrupt', 'PRAGMA integrity_check: row 3 missing from index', {
        fix: 'choose another backup file',
      }),
      name: 'DatabaseFileError',
      code: 'TW_DB_FILE',
      message:
        'The file /data/backup.db is a damaged SQLite database (PRAGMA integrity_check: row 3 missing from index): choose another backup file',
    },
    {
      error: new DatabaseFileError('/data/copy.db', 'same-file', 'the same file as /srv/analytics.db'),
      name: 'DatabaseFileError',
      code: 'TW_DB_FILE',
      message:
        'The file /data/copy.db is the database itself, or one of its -wal, -shm or -journal files (the same file as /srv/analytics.db): choose a path outside the database; nothing was written',
    },
    {
      error: new DatabaseFileError('/data/copy.db', 'symlink', 'to /srv/analytics.db', { allow: '--force' }),
      name: 'DatabaseFileError',
      code: 'TW_DB_FILE',
      message:
        'The file /data/copy.db is a symbolic link (to /srv/analytics.db): name what it leads to, or a new path: a link is never replaced or written through, not even with --force',
    },
    {
      error: new DatabaseVersionError('/data/analytics.db', 3, 1),
      name: 'DatabaseVersionError',
      code: 'TW_DB_VERSION',
      message:
        'SQLite database /data/analytics.db has schema version 3, but this toolweaver-analytics knows versions up to 1: upgrade toolweaver-analytics ' +
        '(npm install toolweaver-analytics@latest) in every application and tool that opens this file, or point ANALYTICS_DB_PATH at another file. The file was left untouched.',
    },
    {
      error: new DatabaseBusyError('/data/analytics.db', 'is open in another process', 'stop the application first'),
      name: 'DatabaseBusyError',
      code: 'TW_DB_BUSY',
      message: 'SQLite database /data/analytics.db is open in another process: stop the application first',
    },
  ];

  for (const { error, name, code, message } of cases) {
    const reason = error instanceof DatabaseFileError ? ` (${error.reason})` : '';
    it(`${name}${reason} has its name, its stable code ${code}, the file, a message with the fix, and a row in docs/errors.md`, () => {
      assert.ok(error instanceof AnalyticsError);
      assert.equal(error.name, name);
      assert.equal(error.code, code);
      assert.equal((error as unknown as { path: string }).path, message.match(/(\/data\/\w+\.db)/)?.[1]);
      assert.equal(error.message, message);
      assert.match(DOCS, new RegExp(`^\\| \`${name}\` \\| \`${code}\` \\| \`AnalyticsError\` \\|`, 'm'));
    });
  }

  it('DatabaseFileError keeps the reason and what SQLite said', () => {
    const cause = new Error('file is not a database');
    const error = new DatabaseFileError('/data/analytics.db', 'not-a-database', 'SQLite: file is not a database', { cause });
    assert.deepEqual([error.reason, error.detail, error.cause], ['not-a-database', 'SQLite: file is not a database', cause]);
  });
});
