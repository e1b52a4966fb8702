import assert from 'node:assert/strict';
import { AggregationType, InstrumentType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { EXECUTIONS, LATENCY, RATING } from '../../src/instruments/names.js';
import { viewsKeepHistograms } from '../../src/start/histogramViews.js';

const SUM = { type: AggregationType.SUM } as const;
const LAST_VALUE = { type: AggregationType.LAST_VALUE } as const;

/** Views, and whether our latency and rating histograms stay histograms under them. */
const CASES: readonly [title: string, views: ViewOptions[], keeps: boolean][] = [
  ['no View', [], true],
  ['a DROP View on the latency', [{ instrumentName: LATENCY.name, aggregation: { type: AggregationType.DROP } }], true],
  [
    'other buckets on the latency',
    [{ instrumentName: LATENCY.name, aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [100] } } }],
    true,
  ],
  [
    'an exponential histogram on the latency',
    [{ instrumentName: LATENCY.name, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    true,
  ],
  ['a rename of the latency', [{ instrumentName: LATENCY.name, name: 'tool_latency_ms' }], true],
  ['a sum of the latency', [{ instrumentName: LATENCY.name, aggregation: SUM }], false],
  ['a last value of the rating', [{ instrumentName: RATING.name, aggregation: LAST_VALUE }], false],
  ['a sum of every histogram', [{ instrumentType: InstrumentType.HISTOGRAM, aggregation: SUM }], false],
  ['a sum of every instrument of our Meter', [{ meterName: 'toolweaver-analytics', instrumentName: '*', aggregation: SUM }], false],
  ['a sum of a wildcard that may take ours', [{ instrumentName: 'toolweaver_*', aggregation: SUM }], false],
  ['a sum of our counter only', [{ instrumentName: EXECUTIONS.name, aggregation: SUM }], true],
  ['a sum of another Meter', [{ meterName: 'my-app', instrumentName: '*', aggregation: SUM }], true],
  ['a sum of counters only', [{ instrumentType: InstrumentType.COUNTER, aggregation: SUM }], true],
  ['a sum of instruments in seconds', [{ instrumentUnit: 's', aggregation: SUM }], true],
  ['a sum of an application histogram', [{ instrumentName: 'http_request_duration', aggregation: SUM }], true],
];

describe('viewsKeepHistograms: whether our histograms may start empty under the Views of startAnalytics', () => {
  for (const [title, views, keeps] of CASES) {
    it(`${keeps ? 'keeps' : 'does not keep'} them under ${title}`, () => {
      assert.equal(viewsKeepHistograms(views), keeps);
    });
  }
});
