import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type Database from 'better-sqlite3';
import { type Browser, chromium } from 'playwright-core';
import { runWeekDemo } from '../../src/demo/weekDemo.js';
import { htmlReport } from '../../src/htmlReport/htmlReport.js';
import { latencyReport } from '../../src/reports/latency.js';
import { successRateByDay, usageTrend } from '../../src/reports/trends.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { requireBinary } from '../helpers/serverProcess.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const NOW = Date.parse('2026-03-14T12:00:00Z');
const XSS_SKILL = '<script>alert(1)</script>';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const CHROMIUM = {
  name: 'chromium',
  what: 'Chromium',
  notice: "SKIPPED: chromium not found; install Debian's chromium package",
  install: 'apt-get install -y chromium',
};

/** A chart as the page drew it: each series' label and its points, keyed by x. */
type DrawnChart = Record<string, Record<string, number>>;

/** Every skill's values by x, leaving out the missing ones, as a chart should plot them. */
function bySkill<T extends { skillId: string }>(points: readonly T[], x: (p: T) => string, y: (p: T) => number | null): DrawnChart {
  const chart: DrawnChart = {};
  for (const point of points) {
    const value = y(point);
    if (value !== null) chart[point.skillId] = { ...chart[point.skillId], [x(point)]: value };
  }
  return chart;
}

/** Three calls of a skill whose id is markup, in the last hour of the window. */
async function recordXssSkill(path: string): Promise<void> {
  let monotonic = 0;
  const analytics = startAnalytics({
    env: { ANALYTICS_BACKEND: 'sqlite', ANALYTICS_DB_PATH: path, ANALYTICS_DB_RETENTION_DAYS: '365' },
    clock: { now: () => NOW - 20 * 60_000, monotonic: () => monotonic },
    flushOnExit: false,
  });
  const tool = analytics.wrap(XSS_SKILL, () => {
    monotonic += 40;
  });
  for (let call = 0; call < 3; call++) analytics.withContext({ userId: 'user_xss', orgId: 'acme' }, () => tool());
  await analytics.shutdown();
}

describe('the HTML report in a real browser', function () {
  this.timeout(180_000);
  let dir: string;
  let db: Database.Database;
  let browser: Browser;
  let file: string;
  let html: string;

  before(async function () {
    const executablePath = requireBinary(this, CHROMIUM);
    dir = mkdtempSync(join(tmpdir(), 'toolweaver-report-'));
    const path = join(dir, 'week.db');
    await runWeekDemo({ path, now: NOW });
    await recordXssSkill(path);
    db = openAnalyticsDatabase(path, { readonly: true });
    html = htmlReport(db, { now: NOW });
    file = join(dir, 'report.html');
    writeFileSync(file, html);
    browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  });

  after(async () => {
    await browser?.close();
    db?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the reports’ numbers, shows the markup skill as text, logs no error and is screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(pathToFileURL(file).href);
    // Strings, not functions: the tests compile without the DOM's types.
    await page.waitForFunction("'reportCharts' in window && document.querySelector('#recommendations') !== null");

    const drawn: Record<string, { labels: string[]; data: unknown[][] }> = await page.evaluate(
      `Object.fromEntries(Object.entries(window.reportCharts).map(([name, chart]) =>
        [name, { labels: chart.series.map((s) => s.label), data: chart.data }]))`,
    );
    const daily = (name: string): DrawnChart => {
      const { labels, data } = drawn[name]!;
      const days = (data[0] as number[]).map((seconds) => new Date(seconds * 1000).toISOString().slice(0, 10));
      return bySkill(
        labels.slice(1).flatMap((skillId, s) => days.map((day, d) => ({ skillId, day, value: data[s + 1]![d] as number | null }))),
        (p) => p.day,
        (p) => p.value,
      );
    };
    const options = { now: NOW };
    assert.deepEqual(
      daily('usage'),
      bySkill(
        usageTrend(db, { ...options, granularity: 'day' }),
        (p) => p.bucket,
        (p) => p.executions,
      ),
    );
    assert.deepEqual(
      daily('successRate'),
      bySkill(
        successRateByDay(db, options),
        (p) => p.day,
        (p) => p.successRate,
      ),
    );
    const timed = latencyReport(db, options).filter((skill) => skill.p50 !== null);
    assert.deepEqual(drawn['latency']!.data.slice(1), [timed.map((s) => s.p50), timed.map((s) => s.p95), timed.map((s) => s.p99)]);
    assert.ok(Object.keys(daily('usage')).length > 30, 'the demo week has its 36 skills and the markup one');

    const text = await page.evaluate<string>('document.body.innerText');
    assert.ok(text.includes(XSS_SKILL), 'the markup skill id is shown as text');
    assert.equal(await page.evaluate<number>('document.scripts.length'), 3, 'no script element came from the data');
    assert.deepEqual(problems, []);

    // Hover shows the values of the day under the cursor; a click on a legend entry hides its series.
    const usage = page.locator('#usage .u-over');
    const box = (await usage.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const hovered = await page.locator('#usage .u-legend .u-series').nth(1).locator('.u-value').textContent();
    assert.match(hovered ?? '', /^\d+$|^–$/, `a count or a dash, got ${hovered}`);
    assert.match((await page.locator('#usage .u-legend .u-series').first().locator('.u-value').textContent()) ?? '', /^\d{4}-\d{2}-\d{2}$/);
    await page.locator('#usage .u-legend .u-series').nth(1).locator('.u-label').click();
    assert.equal(await page.evaluate<boolean>('window.reportCharts.usage.series[1].show'), false);
    await page.locator('#usage .u-legend .u-series').nth(1).locator('.u-label').click();
    assert.equal(await page.evaluate<boolean>('window.reportCharts.usage.series[1].show'), true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(ARTIFACTS, 'report-dark.png'), fullPage: true });
    await page.close();
  });

  it('renders an empty database as a page that says so, without errors', async () => {
    const emptyPath = join(dir, 'empty.db');
    openAnalyticsDatabase(emptyPath).close();
    const empty = openAnalyticsDatabase(emptyPath, { readonly: true });
    const emptyFile = join(dir, 'empty.html');
    try {
      writeFileSync(emptyFile, htmlReport(empty, { now: NOW }));
    } finally {
      empty.close();
    }
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(pathToFileURL(emptyFile).href);
    await page.waitForFunction("document.querySelector('#recommendations') !== null");
    const text = await page.evaluate<string>('document.body.innerText');
    assert.match(text, /Calls\s+0/);
    assert.match(text, /No calls in the window\./);
    assert.match(text, /No timed calls in the window\./);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('names no user or org id unless includeIds is given', () => {
    const ids = (column: string) =>
      (db.prepare(`SELECT DISTINCT ${column} AS id FROM skill_user_daily WHERE ${column} <> ''`).all() as { id: string }[]).map(
        (row) => row.id,
      );
    const users = ids('user_id');
    const orgs = ids('org_id');
    assert.ok(users.length > 100 && orgs.length > 1, `${users.length} users, ${orgs.length} orgs`);
    const data = (page: string) => /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(page)![1]!;
    const named = (page: string) => [...users, ...orgs].filter((id) => data(page).includes(`"${id}"`));
    assert.deepEqual(named(htmlReport(db, { now: NOW, orgId: 'acme' })), []);
    assert.match(data(htmlReport(db, { now: NOW, orgId: 'acme' })), /"org":"org 1"/);
    assert.deepEqual(named(htmlReport(db, { now: NOW, orgId: 'acme', includeIds: true })), ['acme']);
  });
});
