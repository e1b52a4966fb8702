import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, expectExit } from '../cli/cli.js';

/** `npm run demo:live` runs this file (after the build). */
const LIVE = fileURLToPath(new URL('../../src/demo/main.js', import.meta.url));

describe('npm run demo:live (src/demo/main.ts)', function () {
  this.timeout(120_000);
  let directory: string;
  let home: string;
  let cwd: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'toolweaver-demo-live-'));
    home = join(directory, 'home');
    cwd = join(directory, 'project');
    mkdirSync(home);
    mkdirSync(cwd);
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("writes ./toolweaver-demo.db, never the user's ~/.toolweaver/analytics.db, even when the environment names a database", async () => {
    const env = { HOME: home, ANALYTICS_DB_PATH: join(home, '.toolweaver', 'analytics.db') };
    const run = expectExit(await cli([], { cwd, env: { HOME: home }, script: LIVE }), 0);
    assert.ok(!existsSync(join(home, '.toolweaver', 'analytics.db')), run.stdout);
    assert.ok(existsSync(join(cwd, 'toolweaver-demo.db')), run.stdout);
    assert.match(run.stdout, /toolweaver-demo\.db/);
    rmSync(join(cwd, 'toolweaver-demo.db'));
    expectExit(await cli([], { cwd, env, script: LIVE }), 0);
    assert.ok(!existsSync(join(home, '.toolweaver', 'analytics.db')));
    assert.ok(existsSync(join(cwd, 'toolweaver-demo.db')));
  });

  it('writes where --db names', async () => {
    const run = expectExit(await cli(['--db', 'live.db'], { cwd, env: { HOME: home }, script: LIVE }), 0);
    assert.ok(existsSync(join(cwd, 'live.db')), run.stdout);
    assert.ok(!existsSync(join(cwd, 'toolweaver-demo.db')));
    assert.ok(!existsSync(join(home, '.toolweaver', 'analytics.db')));
  });
});
