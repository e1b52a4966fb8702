import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { countAsOtherUser } from '../helpers/otherUser.js';

const run = promisify(execFile);

describe('Grafana reading the database as another user, read-only', function () {
  this.timeout(30_000);
  let dir: string;

  before(async function () {
    // Needs root to act as another user, and the sqlite3 shell (.ci/run installs it; CI runs as root).
    if (process.getuid?.() !== 0) this.skip();
    await run('sqlite3', ['--version']);
    dir = mkdtempSync(join(tmpdir(), 'toolweaver-grafana-ro-'));
    chmodSync(dir, 0o755);
  });
  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('reads while the application writes in WAL mode, and after it has stopped', async () => {
    const path = join(dir, 'analytics.db');
    // What docs/grafana.md tells users to do: create the file readable by Grafana's group first
    // (here nobody's group, nogroup, 65534); a file every user may read would be refused.
    closeSync(openSync(path, 'w', 0o640));
    chownSync(path, 0, 65534);
    chmodSync(path, 0o640);
    const app = startAnalytics({
      env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
      flushOnExit: false,
      logLevel: 'none',
    });
    const search = app.wrap('web_search', () => 'ok');
    for (let i = 0; i < 3; i++) search();
    await app.flush();
    assert.equal(await countAsOtherUser(path), '3');
    search();
    await app.shutdown();
    assert.equal(await countAsOtherUser(path), '4');
  });
});
