import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = fileURLToPath(new URL('../fixtures/loggingApp.js', import.meta.url));

function stderrOf(dir: string, env: Record<string, string> = {}): string[] {
  const child = spawnSync(process.execPath, [APP], {
    env: { PATH: process.env['PATH'] ?? '', HOME: dir, ANALYTICS_DB_PATH: join(dir, 'a.db'), ANALYTICS_DB_BUSY_TIMEOUT: '10', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(child.status, 0, child.stderr);
  return child.stderr.split('\n').filter((line) => line !== '');
}

describe("the application's diag logger and ours", function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-own-logger-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the diag logger alone without ANALYTICS_LOG_LEVEL, and tells our own problem once on stderr', () => {
    const lines = stderrOf(dir);
    assert.ok(lines.includes('APP-WARN from the application'), lines.join('\n'));
    assert.ok(!lines.some((line) => line.includes('overwritten')), lines.join('\n'));
    const locked = lines.filter((line) => line.startsWith(`toolweaver-analytics: ${join(dir, 'a.db')} is locked by another connection`));
    assert.equal(locked.length, 1, lines.join('\n'));
    assert.ok(
      lines.some((line) => /^toolweaver-analytics: 3 calls could not be written to .* before it was closed and are lost/.test(line)),
      lines.join('\n'),
    );
  });

  it("installs ours when ANALYTICS_LOG_LEVEL is set, with OpenTelemetry's override warning to the application's logger", () => {
    const lines = stderrOf(dir, { ANALYTICS_LOG_LEVEL: 'warn' });
    assert.ok(
      lines.some((line) => line.startsWith('APP-WARN Current logger will be overwritten from')),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((line) => line.includes('from the application') && !line.startsWith('APP-')),
      'the application now logs through ours',
    );
    assert.ok(
      lines.some((line) => line.includes('toolweaver-analytics: ') && line.includes('is locked by another connection')),
      lines.join('\n'),
    );
  });
});
