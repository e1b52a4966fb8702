// Scenario: the cost of a wrapped async generator above the raw one, per item and per call. A tool streams
// ITEMS items that a consumer reads with `for await`; the raw generator against the same generator wrapped by
// startAnalytics (prometheus backend, not serving), batch by batch in turns (bench/lib/interleave.ts).
import { startAnalytics } from '../src/start/startAnalytics.js';
import { interleave, pairwiseDifference } from './lib/interleave.js';
import { summarize } from './lib/measure.js';
import { costRatioRow, quickMode, type ScenarioResult } from './lib/scenario.js';

const quick = quickMode();
const ITEMS = 1_000;
const LONG_STREAMS = quick ? 2 : 20;
const SHORT_STREAMS = quick ? 500 : 5_000;
const runs = quick ? { warmup: 1, runs: 3 } : { warmup: 5, runs: 21 };

const analytics = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: ['prometheus'], prometheusServer: false });

async function* tokens(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) yield i;
}
const wrapped = analytics.wrap('stream_tokens', tokens);

let sink = 0;
async function consume(streams: number, items: number, make: (count: number) => AsyncIterable<number>): Promise<void> {
  for (let stream = 0; stream < streams; stream++) for await (const item of make(items)) sink += item;
}

const long = await interleave(
  {
    raw: () => consume(LONG_STREAMS, ITEMS, tokens),
    wrapped: () => consume(LONG_STREAMS, ITEMS, wrapped),
  },
  runs,
);
const short = await interleave(
  {
    raw: () => consume(SHORT_STREAMS, 1, tokens),
    wrapped: () => consume(SHORT_STREAMS, 1, wrapped),
  },
  runs,
);
await analytics.shutdown();

/** ns per unit of each batch. */
const ns = (samples: readonly number[], units: number) => samples.map((ms) => (ms * 1e6) / units);

const perItem = LONG_STREAMS * ITEMS;
const rawItem = summarize(ns(long.raw, perItem));
const rawCall = summarize(ns(short.raw, SHORT_STREAMS));
const result: ScenarioResult = {
  scenario: 'Streaming tools: a wrapped async generator against the raw one',
  unit: 'ns per call',
  setup: {
    'items per long stream': ITEMS,
    'long streams per batch': LONG_STREAMS,
    'one-item streams per batch': SHORT_STREAMS,
    batches: runs.runs,
    sink: Math.sign(sink),
  },
  rows: [
    costRatioRow(
      `per item of a ${ITEMS.toLocaleString('en')}-item stream: wrapped, above the raw generator`,
      summarize(pairwiseDifference(ns(long.wrapped, perItem), ns(long.raw, perItem))),
      'a raw item read with for await',
      rawItem,
      'x the cost of a raw item',
    ),
    costRatioRow(
      `per item of a ${ITEMS.toLocaleString('en')}-item stream: wrapped, the whole item`,
      summarize(ns(long.wrapped, perItem)),
      'a raw item read with for await',
      rawItem,
      'x a raw item',
    ),
    costRatioRow(
      'per call of a one-item stream (call, read, end, recording): wrapped, above the raw generator',
      summarize(pairwiseDifference(ns(short.wrapped, SHORT_STREAMS), ns(short.raw, SHORT_STREAMS))),
      'a raw one-item stream made and read',
      rawCall,
      'x the cost of a raw one-item stream',
    ),
  ],
  notes: [
    "A wrapped generator gives the consumer an async iterator of ours: each `next()` runs the generator's and adds one promise " +
      'reaction and a clock read (the time of the last delivered value, for a stream never read to its end); the end adds the ' +
      "call's recordings. No TracerProvider is registered, so no span is made. `for await` costs the same microtask turns on both.",
  ],
};
console.log(JSON.stringify(result));
