import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const APP = fileURLToPath(new URL('../fixtures/sqliteWriterApp.js', import.meta.url));
const WRITERS = 4;
const CALLS = 300;

describe('several processes writing one database file', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-multi-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lose no row and show no error, even with exports every 20 ms', async () => {
    const path = join(dir, 'shared.db');
    const children = Array.from({ length: WRITERS }, (_, index) => {
      const child = spawn(process.execPath, [APP], {
        env: {
          PATH: process.env['PATH'] ?? '',
          HOME: dir,
          ANALYTICS_DB_PATH: path,
          ANALYTICS_DB_FLUSH_INTERVAL: '0.02',
          CALLS: String(CALLS),
          WRITER: `w${index}`,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      return once(child, 'exit').then(([code]) => ({ code, output }));
    });
    const results = await Promise.all(children);
    for (const { code, output } of results) {
      assert.equal(code, 0, output);
      assert.equal(output, '', 'nothing reported: no SQLITE_BUSY reached anyone');
    }
    const db = new Database(path, { readonly: true });
    try {
      const perWriter = db.prepare('SELECT org_id, sum(execution_count) calls FROM skill_usage GROUP BY org_id ORDER BY org_id').all();
      assert.deepEqual(
        perWriter,
        Array.from({ length: WRITERS }, (_, index) => ({ org_id: `w${index}`, calls: CALLS })),
      );
      assert.equal((db.prepare('SELECT count(DISTINCT user_id) n FROM skill_usage').get() as { n: number }).n, WRITERS * 7);
    } finally {
      db.close();
    }
  });
});
