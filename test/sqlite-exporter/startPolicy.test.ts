import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sinon from 'sinon';
import { DatabaseBusyError, DatabaseFileError } from '../../src/core/errors.js';
import { log } from '../../src/core/log.js';
import { openAnalyticsDatabase, leaveWalWhenLast } from '../../src/store/openDatabase.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { lockWithShell } from '../helpers/shellLock.js';
import { callsIn } from '../helpers/usage.js';

describe('a database someone else holds never stops the application', function () {
  this.timeout(20_000);
  let dir: string;
  let analytics: Analytics | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-start-'))));
  afterEach(async () => {
    sinon.restore();
    await analytics?.shutdown();
    analytics = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function start(path: string): Analytics {
    analytics = startAnalytics({
      env: { HOME: dir, ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600', ANALYTICS_DB_BUSY_TIMEOUT: '20' },
      flushOnExit: false,
    });
    return analytics;
  }

  for (const journal of ['rollback journal', 'WAL'] as const) {
    it(`starts while a sqlite3 shell holds the file (${journal}), keeps the calls, and writes them once the lock is gone`, async () => {
      const path = join(dir, 'held.db');
      const db = openAnalyticsDatabase(path);
      if (journal === 'rollback journal') leaveWalWhenLast(db);
      db.close();
      const shell = await lockWithShell(path);
      const error = sinon.stub(log, 'error');
      let app: Analytics;
      try {
        app = start(path);
        // A rollback journal locked exclusively cannot even be read: the open fails, and ready says so.
        // In WAL mode readers pass: the file opens, and only the writes wait for the lock.
        if (journal === 'rollback journal') await assert.rejects(app.ready, DatabaseBusyError);
        else await app.ready;
        const call = app.wrap('web_search', () => 'ok');
        for (let i = 0; i < 50; i++) assert.equal(call(), 'ok');
        await app.flush();
      } finally {
        await shell.release();
      }
      await app.flush();
      assert.equal(callsIn(path), 50);
      assert.ok(
        error.callCount <= 1,
        error
          .getCalls()
          .map((c) => String(c.args[0]))
          .join('\n'),
      );
    });
  }

  it('never writes a file that turns out foreign once the lock clears, and says in one message the calls it held are lost', async () => {
    const path = join(dir, 'theirs.db');
    const theirs = new Database(path);
    theirs.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine')");
    theirs.close();
    const shell = await lockWithShell(path);
    const error = sinon.stub(log, 'error');
    let app: Analytics;
    try {
      app = start(path);
      await assert.rejects(app.ready, DatabaseBusyError);
      const call = app.wrap('web_search', () => 'ok');
      for (let i = 0; i < 10; i++) call();
      await app.flush();
    } finally {
      await shell.release();
    }
    await app.flush();
    await app.shutdown();
    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(),
        [{ name: 'notes' }],
        'nothing of ours was written',
      );
    } finally {
      db.close();
    }
    const lost = error
      .getCalls()
      .map((c) => String(c.args[0]))
      .filter((m) => /calls recorded for it so far are lost|are lost/.test(m));
    assert.equal(
      lost.length,
      1,
      error
        .getCalls()
        .map((c) => String(c.args[0]))
        .join('\n'),
    );
    assert.match(lost[0]!, /the 10 calls recorded for it so far are lost/);
  });

  it('starts on a file that is not its database, never writes it, and says once how many calls were lost', async () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'my notes, not a database\n'.repeat(100));
    const before = statSync(path).mtimeMs;
    const error = sinon.stub(log, 'error');
    const app = start(path);
    await assert.rejects(app.ready, (problem) => problem instanceof DatabaseFileError && problem.message.includes(path));
    const call = app.wrap('web_search', () => 'ok');
    for (let i = 0; i < 7; i++) assert.equal(call(), 'ok');
    await app.flush();
    await app.flush();
    await app.shutdown();
    assert.equal(readFileSync(path, 'utf8'), 'my notes, not a database\n'.repeat(100));
    assert.equal(statSync(path).mtimeMs, before);
    const messages = error.getCalls().map((c) => String(c.args[0]));
    const about = messages.filter((m) => m.includes(path));
    assert.equal(about.length, 2, messages.join('\n'));
    assert.match(about[0]!, /not a SQLite database.*the application goes on: calls are not written to SQLite until it is fixed/);
    assert.match(about[1]!, /^7 calls recorded for .*notes\.db while it could not serve as the database are lost$/);
  });
});
