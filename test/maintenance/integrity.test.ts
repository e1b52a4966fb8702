import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { checkIntegrity, databaseStats, vacuum } from '../../src/maintenance/integrity.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { SCHEMA_VERSION, TABLES } from '../../src/store/schema.js';
import { writeAnalyticsFixture } from '../sqlite-exporter/fixtures/analyticsFixture.js';
import { damagePage, makeDatabase } from '../sqlite-exporter/helpers/damage.js';
import { countRows } from '../sqlite-exporter/helpers/rows.js';
import { useTempDirectory } from '../sqlite-exporter/helpers/tempDirectory.js';

describe('integrity, vacuum and stats', () => {
  const tmp = useTempDirectory();

  describe('checkIntegrity', () => {
    it('finds nothing wrong with a sound database', () => {
      const db = openAnalyticsDatabase(join(tmp(), 'analytics.db'));
      writeAnalyticsFixture(db, Date.now());
      assert.deepEqual(checkIntegrity(db), { ok: true, problems: [] });
      db.close();
    });

    it('reports the damaged page of a database', () => {
      const path = join(tmp(), 'analytics.db');
      makeDatabase(path, 3000);
      damagePage(path, 20);
      const db = new Database(path, { readonly: true });
      const { ok, problems } = checkIntegrity(db);
      db.close();
      assert.equal(ok, false);
      assert.ok(
        problems.some((problem) => /page 20\b/.test(problem)),
        problems.join('\n'),
      );
    });

    it('reports a file that is no database at all as its problem, without throwing', () => {
      const path = join(tmp(), 'analytics.db');
      writeFileSync(path, 'x'.repeat(5000));
      const db = new Database(path, { readonly: true });
      assert.deepEqual(checkIntegrity(db), { ok: false, problems: ['SQLITE_NOTADB: file is not a database'] });
      db.close();
    });
  });

  describe('vacuum', () => {
    it('shrinks the file after deletes, and empties the WAL', () => {
      const path = join(tmp(), 'analytics.db');
      makeDatabase(path, 20_000);
      const db = openAnalyticsDatabase(path);
      db.prepare('DELETE FROM skill_usage WHERE id > 100').run();
      const { bytesBefore, bytesAfter } = vacuum(db);
      assert.ok(bytesAfter < bytesBefore / 10, `${bytesBefore} bytes, then ${bytesAfter}`);
      assert.equal(bytesAfter, statSync(path).size);
      assert.equal(statSync(`${path}-wal`).size, 0);
      assert.equal(countRows(db, 'skill_usage'), 100);
      db.close();
    });

    it('works in memory', () => {
      const db = openAnalyticsDatabase(':memory:');
      const { bytesBefore, bytesAfter } = vacuum(db);
      assert.ok(bytesAfter > 0 && bytesAfter <= bytesBefore);
      db.close();
    });
  });

  describe('databaseStats', () => {
    it('gives the path, sizes, schema version and rows of every table', () => {
      const path = join(tmp(), 'analytics.db');
      const db = openAnalyticsDatabase(path);
      writeAnalyticsFixture(db, Date.now());
      const stats = databaseStats(db);
      assert.deepEqual(stats, {
        path,
        sizeBytes: statSync(path).size,
        walSizeBytes: statSync(`${path}-wal`).size,
        schemaVersion: SCHEMA_VERSION,
        tables: Object.fromEntries(TABLES.map((table) => [table, countRows(db, table)])),
      });
      assert.ok(stats.walSizeBytes > 0, 'the rows are still in the WAL');
      assert.equal(stats.tables.skill_usage, 43);
      db.close();
    });
  });
});
