import assert from 'node:assert/strict';
import { instrumentTools } from '../../src/langchain.js';
import { requirePrometheus, type QueryResult } from '../helpers/prometheusServer.js';
import { startScrapedAnalytics, type ScrapedAnalytics } from '../helpers/scrapedAnalytics.js';
import { researchTools, runAgent, runsByTool } from './langchainAgent.js';

/** `series label → value` of a vector result. */
function byLabels(result: QueryResult, ...labels: string[]): Map<string, number> {
  assert.equal(result.resultType, 'vector');
  return new Map(result.result.map((sample) => [labels.map((label) => sample.metric[label]).join(' '), sample.value.value]));
}

describe('a LangChain agent scraped by a real Prometheus', function () {
  this.timeout(90_000);
  let scraped: ScrapedAnalytics | undefined;

  before(async function () {
    requirePrometheus(this);
    scraped = await startScrapedAnalytics();
  });
  after(() => scraped?.stop());

  it("counts each instrumented tool's runs and failures by type as the run did them", async () => {
    const { prometheus } = scraped as ScrapedAnalytics;
    const did = runsByTool(await runAgent(instrumentTools(researchTools(), { agentName: 'researcher' })));

    const runs = await prometheus.waitFor(
      'sum by (skill_id) (toolweaver_skill_executions_total{agent_name="researcher"})',
      (result) => byLabels(result, 'skill_id').size === did.size,
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(byLabels(runs, 'skill_id'), new Map([...did].map(([name, { runs: count }]) => [name, count])));
    // Every error type of each tool is there from its instrumentation on, at 0 until it occurs: the ones that occurred.
    const failures = await prometheus.query('sum by (skill_id, error_type) (toolweaver_skill_failures_total{agent_name="researcher"}) > 0');
    assert.deepEqual(
      byLabels(failures, 'skill_id', 'error_type'),
      new Map([
        ['search validation', 1],
        ['fetch_page upstream', 1],
      ]),
    );
    assert.equal(
      [...byLabels(failures, 'skill_id')].reduce((total, [, count]) => total + count, 0),
      [...did.values()].reduce((total, { failed }) => total + failed, 0),
      'every failed run, and nothing else, is a failure',
    );
  });
});
