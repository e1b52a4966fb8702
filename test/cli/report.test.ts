import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportDocument } from '../../src/htmlReport/reportDocument.js';
import { cli, expectExit, fixtureDatabase, useWorkDirectory } from './cli.js';

/** The JSON document inside a written report. */
function documentOf(file: string): { text: string; doc: ReportDocument } {
  const text = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(readFileSync(file, 'utf8'))![1]!;
  return { text, doc: JSON.parse(text) as ReportDocument };
}

describe('toolweaver-analytics report', function () {
  this.timeout(30_000);
  const cwd = useWorkDirectory();
  let database: string;
  beforeEach(async () => (database = await fixtureDatabase(cwd())));

  it('writes the HTML file it is told to, mode 600, and prints its path', async () => {
    const run = expectExit(await cli(['report', '--out', 'report.html', '--db', database], { cwd: cwd() }), 0);
    const out = join(cwd(), 'report.html');
    assert.match(run.stdout, new RegExp(`^Wrote the report to ${out} \\(\\d+(\\.\\d)? [KM]iB\\)\\.\\n$`));
    assert.equal(run.stderr, '');
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const { doc } = documentOf(out);
    assert.equal(doc.overview.calls, 36);
    assert.deepEqual(doc.usage.series.map((series) => series.skillId).sort(), ['code_exec', 'send_email', 'summarize', 'web_search']);
  });

  it('names users and orgs by pseudonyms, and by their ids only with --include-ids', async () => {
    const args = ['report', '--org', 'acme', '--user', 'bob', '--user', 'alice', '--db', database, '--json'];
    const hidden = expectExit(await cli([...args, '--out', 'hidden.html'], { cwd: cwd() }), 0);
    assert.deepEqual(JSON.parse(hidden.stdout), { out: join(cwd(), 'hidden.html'), bytes: statSync(join(cwd(), 'hidden.html')).size });
    const { text, doc } = documentOf(join(cwd(), 'hidden.html'));
    assert.equal(doc.scope.org, 'org 1');
    assert.deepEqual(
      doc.recommendations.perUser.map((entry) => entry.user),
      ['user 1', 'user 2'],
    );
    assert.doesNotMatch(text, /alice|bob|carol|acme|globex/);
    expectExit(await cli([...args, '--out', 'named.html', '--include-ids'], { cwd: cwd() }), 0);
    const named = documentOf(join(cwd(), 'named.html')).doc;
    assert.equal(named.scope.org, 'acme');
    assert.deepEqual(
      named.recommendations.perUser.map((entry) => entry.user),
      ['bob', 'alice'],
    );
  });

  it('refuses a Prometheus query URL before writing anything: the report needs the per-user records', async () => {
    const run = expectExit(
      await cli(['report', '--out', 'report.html', '--query-url', 'http://127.0.0.1:9', '--db', database], { cwd: cwd() }),
      2,
    );
    assert.match(run.stderr, /report needs the SQLite source: it reads the per-user records/);
    assert.deepEqual(readdirSync(cwd()), ['analytics.db']);
  });

  it('needs --out', async () => {
    const run = expectExit(await cli(['report', '--db', database], { cwd: cwd() }), 2);
    assert.match(run.stderr, /report needs --out FILE/);
  });
});
