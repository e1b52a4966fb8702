import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { OpenMetricsHistory } from './openMetricsHistory.js';
import { createBlocksFromOpenMetrics, requirePromtool } from './promtool.js';
import { requirePrometheus, startPrometheus } from './prometheusServer.js';
import { firstValue } from './queryApi.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A scrape as the OpenTelemetry Prometheus exporter serves it (0.0.4, with its UNIT lines). */
function scrapeText(calls: number, latencySum: number): string {
  return [
    '# HELP target_info Target metadata',
    '# TYPE target_info gauge',
    'target_info{service_name="agent \\"one\\""} 1',
    '# HELP calls_total Skill calls, successful or not.',
    '# UNIT calls_total {execution}',
    '# TYPE calls_total counter',
    `calls_total{skill_id="web search",otel_scope_name="toolweaver-analytics"} ${calls}`,
    '# HELP latency_milliseconds Duration of skill calls.',
    '# UNIT latency_milliseconds ms',
    '# TYPE latency_milliseconds histogram',
    `latency_milliseconds_count{skill_id="web search"} ${calls}`,
    `latency_milliseconds_sum{skill_id="web search"} ${latencySum}`,
    `latency_milliseconds_bucket{skill_id="web search",le="100"} ${calls}`,
    `latency_milliseconds_bucket{skill_id="web search",le="+Inf"} ${calls}`,
    '# HELP up_like A gauge without labels.',
    '# TYPE up_like gauge',
    'up_like 1',
    '',
  ].join('\n');
}

describe('OpenMetricsHistory', () => {
  let dir = '';
  /** Hour-aligned, days ago: old enough that only blocks, never a head, could hold it. */
  const t0 = Math.floor(Date.now() / HOUR) * HOUR - 20 * DAY;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-openmetrics-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function twoScrapes(name: string): Promise<string> {
    const history = await OpenMetricsHistory.create(join(dir, name));
    history.addScrape(scrapeText(1, 40), t0, { job: 'agents', instance: 'host-1:9464' });
    history.addScrape(scrapeText(3, 130.5), t0 + 300_000, { job: 'agents', instance: 'host-1:9464' });
    const written = await history.close();
    assert.deepEqual(
      [written.samples, written.series, written.families],
      [14, 7, ['target_info', 'calls', 'latency_milliseconds', 'up_like']],
    );
    return written.path;
  }

  it('writes each family once, HELP and TYPE first, samples in seconds with job and instance, then # EOF', async () => {
    const text = await readFile(await twoScrapes('whole.om'), 'utf8');
    const s0 = t0 / 1000;
    const s1 = s0 + 300;
    const added = 'job="agents",instance="host-1:9464"';
    assert.equal(
      text,
      [
        '# HELP target_info Target metadata',
        '# TYPE target_info gauge',
        `target_info{service_name="agent \\"one\\"",${added}} 1 ${s0}`,
        `target_info{service_name="agent \\"one\\"",${added}} 1 ${s1}`,
        '# HELP calls Skill calls, successful or not.',
        '# TYPE calls counter',
        `calls_total{skill_id="web search",otel_scope_name="toolweaver-analytics",${added}} 1 ${s0}`,
        `calls_total{skill_id="web search",otel_scope_name="toolweaver-analytics",${added}} 3 ${s1}`,
        '# HELP latency_milliseconds Duration of skill calls.',
        '# TYPE latency_milliseconds histogram',
        `latency_milliseconds_count{skill_id="web search",${added}} 1 ${s0}`,
        `latency_milliseconds_sum{skill_id="web search",${added}} 40 ${s0}`,
        `latency_milliseconds_bucket{skill_id="web search",le="100",${added}} 1 ${s0}`,
        `latency_milliseconds_bucket{skill_id="web search",le="+Inf",${added}} 1 ${s0}`,
        `latency_milliseconds_count{skill_id="web search",${added}} 3 ${s1}`,
        `latency_milliseconds_sum{skill_id="web search",${added}} 130.5 ${s1}`,
        `latency_milliseconds_bucket{skill_id="web search",le="100",${added}} 3 ${s1}`,
        `latency_milliseconds_bucket{skill_id="web search",le="+Inf",${added}} 3 ${s1}`,
        '# HELP up_like A gauge without labels.',
        '# TYPE up_like gauge',
        `up_like{${added}} 1 ${s0}`,
        `up_like{${added}} 1 ${s1}`,
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('refuses a scraped line that already carries a timestamp, and removes its part files', async () => {
    const partDirs = async () => (await readdir(tmpdir())).filter((name) => name.startsWith('toolweaver-openmetrics-parts-')).length;
    const before = await partDirs();
    const history = await OpenMetricsHistory.create(join(dir, 'refused.om'));
    assert.equal(await partDirs(), before + 1);
    assert.throws(
      () => history.addScrape('# TYPE x gauge\nx 1 1700000000000\n', t0, { job: 'j', instance: 'i' }),
      /expected a sample without timestamp after a # TYPE line, got: x 1 1700000000000/,
    );
    await history.close();
    assert.equal(await partDirs(), before);
  });

  it('writes nothing and removes its part files when aborted', async () => {
    const path = join(dir, 'aborted.om');
    const history = await OpenMetricsHistory.create(path);
    history.addScrape(scrapeText(1, 1), t0, { job: 'j', instance: 'i' });
    await history.abort();
    assert.equal(existsSync(path), false);
    assert.deepEqual(
      (await readdir(tmpdir())).filter((name) => name === basename(history.partsDir)),
      [],
    );
  });

  describe('read by promtool 2.42 into blocks a Prometheus serves', function () {
    this.timeout(60_000);

    before(function () {
      requirePrometheus(this);
      requirePromtool(this);
    });

    it('gives a Prometheus on the blocks the samples as written, 20 days old', async () => {
      const blocks = await createBlocksFromOpenMetrics(await twoScrapes('blocks.om'), join(dir, 'tsdb'));
      assert.equal(blocks.blocks.length, 1);
      const prometheus = await startPrometheus({ dataDir: blocks.dataDir });
      try {
        const at = (t0 + 300_000) / 1000;
        assert.equal(firstValue(await prometheus.query('calls_total{job="agents",instance="host-1:9464"}', at)), 3);
        assert.equal(firstValue(await prometheus.query('sum(latency_milliseconds_sum)', at)), 130.5);
        assert.equal(firstValue(await prometheus.query('count_over_time(calls_total[10m])', at)), 2);
      } finally {
        await prometheus.stop();
      }
      assert.ok(existsSync(blocks.dataDir), 'stop() leaves the blocks to their owner');
    });

    it('keeps a block 19 days older than the newest, which the default retention (15 days, counted from the newest block) deletes', async () => {
      const history = await OpenMetricsHistory.create(join(dir, 'apart.om'));
      history.addScrape('# TYPE kept gauge\nkept 1\n', t0, { job: 'j', instance: 'i' });
      history.addScrape('# TYPE kept gauge\nkept 2\n', t0 + 19 * DAY, { job: 'j', instance: 'i' });
      const blocks = await createBlocksFromOpenMetrics((await history.close()).path, join(dir, 'tsdb-apart'));
      const oldest = async (retentionTime?: string): Promise<number | undefined> => {
        const prometheus = await startPrometheus({ dataDir: blocks.dataDir, ...(retentionTime === undefined ? {} : { retentionTime }) });
        try {
          return firstValue(await prometheus.query('kept', t0 / 1000));
        } finally {
          await prometheus.stop();
        }
      };
      assert.equal(await oldest(), 1);
      assert.equal(await oldest('15d'), undefined);
    });

    it('is refused by promtool with the UNIT lines OpenTelemetry writes, which is why they are dropped', async () => {
      const withUnit = join(dir, 'unit.om');
      await writeFile(withUnit, `# TYPE calls counter\n# UNIT calls {execution}\ncalls_total 1 ${t0 / 1000}\n# EOF\n`);
      await assert.rejects(
        createBlocksFromOpenMetrics(withUnit, join(dir, 'tsdb-unit')),
        /promtool failed \(1\) on .*unit\.om:\n.*unit not a suffix of metric/s,
      );
    });

    it('is refused by promtool without # EOF', async () => {
      const noEof = join(dir, 'no-eof.om');
      await writeFile(noEof, `# TYPE calls counter\ncalls_total 1 ${t0 / 1000}\n`);
      await assert.rejects(createBlocksFromOpenMetrics(noEof, join(dir, 'tsdb-no-eof')), /data does not end with # EOF/);
    });
  });
});
