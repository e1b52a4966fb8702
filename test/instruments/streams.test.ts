import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import { FAILURES, LATENCY, SUCCESSES } from '../../src/instruments/names.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { collectByName, histogramOf, pointValue, testSkills } from '../helpers/collect.js';

const [OK, FAIL, LAT] = [SUCCESSES.name, FAILURES.name, LATENCY.name];

/** A clock the test moves by hand: the stream's producer moves it as it "works". */
function manualClock(startMs = Date.parse('2026-03-02T10:00:00Z')) {
  let now = startMs;
  return { now: () => now, monotonic: () => now, advance: (ms: number) => (now += ms) };
}

/** The outcome counts and latency sums of one skill, as the metric backends read them. */
async function outcomes(reader: Parameters<typeof collectByName>[0], skill_id: string) {
  const metrics = await collectByName(reader);
  const failures: Record<string, number> = {};
  for (const type of ['cancelled', 'upstream', 'internal', 'validation']) {
    const count = pointValue(metrics, FAIL, { skill_id, error_type: type });
    if (count) failures[type] = count;
  }
  return {
    ok: pointValue(metrics, OK, { skill_id }) ?? 0,
    failures,
    okMs: histogramOf(metrics, LAT, { skill_id, outcome: 'success' })?.sum ?? 0,
    failedMs: histogramOf(metrics, LAT, { skill_id, outcome: 'failure' })?.sum ?? 0,
  };
}

function setup() {
  const clock = manualClock();
  return { clock, ...testSkills({ clock }) };
}

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const item of iterable) seen.push(item);
  return seen;
}

describe('streaming tools', () => {
  describe('async generators and iterables', () => {
    it('times a stream that fails after 200 ms as a 200 ms failure, not a 0 ms success', async () => {
      const { clock, skills, reader } = setup();
      const broken = Object.assign(new Error('upstream closed'), { status: 502 });
      const search = skills.wrap('stream_search', async function* () {
        clock.advance(50);
        yield 'first';
        clock.advance(150);
        throw broken;
      });
      const seen: string[] = [];
      await assert.rejects(
        (async () => {
          for await (const chunk of search()) seen.push(chunk);
        })(),
        (error) => error === broken,
      );
      assert.deepEqual(seen, ['first']);
      assert.deepEqual(await outcomes(reader, 'stream_search'), { ok: 0, failures: { upstream: 1 }, okMs: 0, failedMs: 200 });
    });

    it('passes the very values on, in order, and records a success timed to the end', async () => {
      const { clock, skills, reader } = setup();
      const chunks = [{ delta: 'Hel' }, { delta: 'lo' }];
      const generate = skills.wrap('generate', async function* (prefix: string) {
        for (const chunk of chunks) {
          clock.advance(30);
          yield chunk;
        }
        clock.advance(5);
        return `${prefix} done`;
      });
      const stream = generate('all');
      const steps = [await stream.next(), await stream.next(), await stream.next(), await stream.next()];
      assert.deepEqual(steps, [
        { done: false, value: chunks[0] },
        { done: false, value: chunks[1] },
        { done: true, value: 'all done' },
        { done: true, value: undefined },
      ]);
      assert.equal(steps[0]?.value, chunks[0]);
      assert.equal(steps[1]?.value, chunks[1]);
      assert.equal(stream[Symbol.asyncIterator](), stream, 'an iterator of itself, as a generator is');
      assert.deepEqual(await outcomes(reader, 'generate'), { ok: 1, failures: {}, okMs: 65, failedMs: 0 });
    });

    it('records a stream given up with break as cancelled at that moment, and lets the source close', async () => {
      const { clock, skills, reader } = setup();
      let closed = false;
      const tokens = skills.wrap('tokens', async function* () {
        try {
          for (let i = 0; ; i++) {
            clock.advance(10);
            yield i;
          }
        } finally {
          closed = true;
        }
      });
      const seen: number[] = [];
      for await (const token of tokens()) {
        seen.push(token);
        if (token === 2) break;
      }
      assert.deepEqual(seen, [0, 1, 2]);
      assert.equal(closed, true, 'return() reached the generator');
      clock.advance(1000);
      assert.deepEqual(await outcomes(reader, 'tokens'), { ok: 0, failures: { cancelled: 1 }, okMs: 0, failedMs: 30 });
    });

    it('passes throw() into the source and records what it does with it', async () => {
      const { skills, reader } = setup();
      const stop = new Error('consumer says stop');
      const resilient = skills.wrap('resilient', async function* () {
        try {
          yield 1;
        } catch {
          yield 'recovered';
        }
      });
      const stream = resilient();
      await stream.next();
      assert.deepEqual(await stream.throw(stop), { done: false, value: 'recovered' });
      assert.deepEqual(await stream.next(), { done: true, value: undefined });
      const fragile = skills.wrap('fragile', async function* () {
        yield 1;
      });
      const other = fragile();
      await other.next();
      await assert.rejects(other.throw(stop), (error) => error === stop);
      assert.deepEqual(await outcomes(reader, 'resilient'), { ok: 1, failures: {}, okMs: 0, failedMs: 0 });
      assert.deepEqual(await outcomes(reader, 'fragile'), { ok: 0, failures: { internal: 1 }, okMs: 0, failedMs: 0 });
    });

    it('judges the return value of a generator like a returned result', async () => {
      const { skills, reader } = setup();
      const tool = skills.wrap('mcp_stream', async function* () {
        yield { type: 'progress' };
        return { content: [{ type: 'text', text: 'failed' }], isError: true };
      });
      assert.equal((await drain(tool())).length, 1);
      assert.deepEqual(await outcomes(reader, 'mcp_stream'), { ok: 0, failures: { internal: 1 }, okMs: 0, failedMs: 0 });
    });

    it('times an async function resolving to a stream until the stream ends', async () => {
      const { clock, skills, reader } = setup();
      const open = skills.wrap('open_stream', async () => {
        clock.advance(20);
        return (async function* () {
          clock.advance(80);
          yield 'only';
        })();
      });
      const stream = await open();
      clock.advance(100); // the caller reads later: the stream is open meanwhile
      assert.deepEqual(await drain(stream), ['only']);
      assert.deepEqual(await outcomes(reader, 'open_stream'), { ok: 1, failures: {}, okMs: 200, failedMs: 0 });
    });

    it('observes an async iterable that is not a generator on its first iteration, and iterates it again unobserved', async () => {
      const { clock, skills, reader } = setup();
      let iterations = 0;
      const collection = {
        [Symbol.asyncIterator]() {
          iterations++;
          let i = 0;
          return {
            next: async () => {
              clock.advance(10);
              return i < 2 ? { done: false, value: i++ } : { done: true, value: undefined };
            },
          };
        },
      };
      const list = skills.wrap('list', () => collection);
      const returned = list();
      assert.notEqual(returned, collection);
      assert.equal(iterations, 0, 'not iterated by us before the caller does');
      assert.deepEqual(await drain(returned), [0, 1]);
      assert.deepEqual(await drain(returned), [0, 1], 'iterable again, as the source is');
      assert.equal(iterations, 2);
      assert.deepEqual(await outcomes(reader, 'list'), { ok: 1, failures: {}, okMs: 30, failedMs: 0 });
    });

    it('gives up an iterable without a return method as cancelled, and resolves return() as done', async () => {
      const { skills, reader } = setup();
      const endless = { [Symbol.asyncIterator]: () => ({ next: async () => ({ done: false, value: 'x' }) }) };
      for await (const item of skills.wrap('endless', () => endless)()) if (item === 'x') break;
      assert.deepEqual(await outcomes(reader, 'endless'), { ok: 0, failures: { cancelled: 1 }, okMs: 0, failedMs: 0 });
    });
  });

  describe('web ReadableStreams', () => {
    function source(chunks: unknown[], options: { fail?: unknown; clock: { advance(ms: number): unknown }; cancelled?: unknown[] }) {
      let index = 0;
      return new ReadableStream<unknown>(
        {
          pull(controller) {
            options.clock.advance(25);
            if (index < chunks.length) controller.enqueue(chunks[index++]);
            else if (options.fail !== undefined) controller.error(options.fail);
            else controller.close();
          },
          cancel(reason) {
            options.cancelled?.push(reason);
          },
        },
        { highWaterMark: 0 },
      );
    }

    it('gives a new ReadableStream with the very chunks, timed to the end', async () => {
      const { clock, skills, reader } = setup();
      const chunks = [new Uint8Array([1]), new Uint8Array([2])];
      const original = source(chunks, { clock });
      const body = skills.wrap('download', () => original)();
      assert.ok(body instanceof ReadableStream);
      assert.notEqual(body, original);
      const streamReader = body.getReader();
      const read = [await streamReader.read(), await streamReader.read(), await streamReader.read()];
      assert.equal(read[0]?.value, chunks[0]);
      assert.equal(read[1]?.value, chunks[1]);
      assert.equal(read[2]?.done, true);
      assert.deepEqual(await outcomes(reader, 'download'), { ok: 1, failures: {}, okMs: 75, failedMs: 0 });
    });

    it('passes the same error on, and records the failure, for reader.read() and for await alike', async () => {
      const { clock, skills, reader } = setup();
      const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      const download = skills.wrap('flaky_download', () => source(['a'], { clock, fail: reset }));
      const viaReader = download().getReader();
      assert.deepEqual(await viaReader.read(), { done: false, value: 'a' });
      await assert.rejects(viaReader.read(), (error) => error === reset);
      await assert.rejects(drain(download() as unknown as AsyncIterable<unknown>), (error) => error === reset);
      assert.deepEqual(await outcomes(reader, 'flaky_download'), { ok: 0, failures: { upstream: 2 }, okMs: 0, failedMs: 100 });
    });

    it('records reader.cancel() and a break out of for await as cancelled, passing the reason to the source', async () => {
      const { clock, skills, reader } = setup();
      const cancelled: unknown[] = [];
      const feed = skills.wrap('feed', () => source(['a', 'b', 'c'], { clock, cancelled }));
      const viaReader = feed().getReader();
      await viaReader.read();
      const reason = new Error('user closed the tab');
      await viaReader.cancel(reason);
      for await (const chunk of feed() as unknown as AsyncIterable<unknown>) if (chunk === 'b') break;
      assert.equal(cancelled[0], reason);
      assert.equal(cancelled.length, 2);
      assert.deepEqual(await outcomes(reader, 'feed'), { ok: 0, failures: { cancelled: 2 }, okMs: 0, failedMs: 75 });
    });

    it('returns a locked ReadableStream as it is, recorded when returned', async () => {
      const { skills, reader } = setup();
      const locked = new ReadableStream();
      locked.getReader();
      assert.equal(skills.wrap('locked', () => locked)(), locked);
      assert.deepEqual(await outcomes(reader, 'locked'), { ok: 1, failures: {}, okMs: 0, failedMs: 0 });
    });
  });

  describe('Node.js Readable streams', () => {
    it('returns the same Readable, pipeable as before, and records it when it ends', async () => {
      const { clock, skills, reader } = setup();
      const original = Readable.from(['a', 'b']);
      const returned = skills.wrap('node_read', () => original)();
      assert.equal(returned, original);
      const written: string[] = [];
      const sink = new Writable({
        objectMode: true,
        write(chunk, _encoding, done) {
          clock.advance(10);
          written.push(chunk);
          done();
        },
      });
      await pipeline(returned, sink);
      await new Promise(setImmediate);
      assert.deepEqual(written, ['a', 'b']);
      assert.deepEqual(await outcomes(reader, 'node_read'), { ok: 1, failures: {}, okMs: 20, failedMs: 0 });
    });

    it('records a Readable destroyed early as cancelled and one that errors as a failure, adding no error listener', async () => {
      const { skills, reader } = setup();
      const abandoned = skills.wrap('node_stream', () => Readable.from(['a', 'b', 'c']))();
      for await (const chunk of abandoned) if (chunk === 'a') break;
      const failing = skills.wrap('node_stream', () => new PassThrough())();
      assert.equal(failing.listenerCount('error'), 0, 'an error nobody handles stays unhandled');
      const broken = Object.assign(new Error('disk gone'), { code: 'EIO' });
      failing.on('error', () => undefined);
      failing.destroy(broken);
      await new Promise(setImmediate);
      assert.deepEqual(await outcomes(reader, 'node_stream'), { ok: 0, failures: { cancelled: 1, internal: 1 }, okMs: 0, failedMs: 0 });
    });
  });

  describe('what is not a stream, and opting out', () => {
    it('returns arrays, strings and iterables of values as they are, recorded when returned', async () => {
      const { skills, reader } = setup();
      const list = ['a', 'b'];
      const set = new Set([1]);
      assert.equal(skills.wrap('plain', () => list)(), list);
      assert.equal(skills.wrap('plain', () => set)(), set);
      assert.equal(skills.wrap('plain', () => 'text')(), 'text');
      assert.deepEqual(await outcomes(reader, 'plain'), { ok: 3, failures: {}, okMs: 0, failedMs: 0 });
    });

    it('returns a stream as it is with streams: false, recorded when the function returns', async () => {
      const { clock, skills, reader } = setup();
      const generator = (async function* () {
        clock.advance(500);
        yield 1;
      })();
      const body = new ReadableStream();
      assert.equal(skills.wrap('raw', () => generator, { streams: false })(), generator);
      assert.equal(skills.wrap('raw', () => body, { streams: false })(), body);
      assert.deepEqual(await drain(generator), [1]);
      assert.deepEqual(await outcomes(reader, 'raw'), { ok: 2, failures: {}, okMs: 0, failedMs: 0 });
    });

    it('returns the value of a Promise subclass untouched, so a generator in it is recorded when the promise settles', async () => {
      class Deferred<T> extends Promise<T> {}
      const { skills, reader } = setup();
      const generator = (async function* () {
        yield 1;
      })();
      const pending = Deferred.resolve(generator);
      assert.equal(skills.wrap('subclass', () => pending)(), pending);
      assert.equal(await pending, generator);
      assert.deepEqual(await outcomes(reader, 'subclass'), { ok: 1, failures: {}, okMs: 0, failedMs: 0 });
    });

    it('never breaks a call on a result whose checks throw: a proxy that throws on every trap', async () => {
      const { skills, reader } = setup();
      const hostile = new Proxy(
        {},
        {
          has() {
            throw new Error('has');
          },
          get() {
            throw new Error('get');
          },
          getPrototypeOf() {
            throw new Error('getPrototypeOf');
          },
        },
      );
      assert.equal(skills.wrap('hostile', () => hostile)(), hostile);
      assert.deepEqual(await outcomes(reader, 'hostile'), { ok: 1, failures: {}, okMs: 0, failedMs: 0 });
    });
  });

  describe('streams never read to their end', () => {
    it('records open streams as cancelled on cancelOpenStreams, timed to the last value delivered, and passes on what follows unrecorded', async () => {
      const { clock, skills, reader } = setup();
      const slow = skills.wrap('slow', async function* () {
        clock.advance(40);
        yield 'first';
        clock.advance(60);
        yield 'second';
      });
      const unread = slow();
      const started = slow();
      await started.next();
      clock.advance(10_000);
      assert.equal(skills.cancelOpenStreams(), 2);
      assert.equal(skills.cancelOpenStreams(), 0);
      assert.deepEqual(await outcomes(reader, 'slow'), { ok: 0, failures: { cancelled: 2 }, okMs: 0, failedMs: 40 });
      assert.deepEqual(await drain(started), ['second'], 'still passes values on');
      assert.deepEqual(await drain(unread), ['first', 'second']);
      assert.deepEqual(await outcomes(reader, 'slow'), { ok: 0, failures: { cancelled: 2 }, okMs: 0, failedMs: 40 }, 'recorded once');
    });

    it('records a stream the application dropped unread as cancelled once it is garbage collected', async () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      const { skills, reader } = setup();
      const open = skills.recorder.openStreams;
      (() => {
        skills.wrap('dropped', async function* () {
          yield 1;
        })();
      })();
      assert.equal(open.size, 1);
      // A finalization callback runs in a task of its own after the collection.
      for (let turn = 0; turn < 10 && open.size > 0; turn++) {
        gc();
        await new Promise(setImmediate);
      }
      assert.equal(open.size, 0);
      assert.deepEqual(await outcomes(reader, 'dropped'), { ok: 0, failures: { cancelled: 1 }, okMs: 0, failedMs: 0 });
    });
  });

  describe('in a real SQLite file', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-streams-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('keeps the latency and outcome of streams: ended, failed mid-stream, and left unread until shutdown', async () => {
      const clock = manualClock();
      const path = join(dir, 'streams.db');
      const analytics = startAnalytics({
        env: {},
        flushOnExit: false,
        logLevel: 'none',
        backends: ['sqlite'],
        sqlite: { path, flushIntervalMs: 3_600_000 },
        clock,
      });
      const answer = analytics.wrap('answer', async function* (failAfter: number) {
        for (let i = 0; i < 4; i++) {
          clock.advance(50);
          if (i === failAfter) throw Object.assign(new Error('model overloaded'), { status: 503 });
          yield `token ${i}`;
        }
      });
      await analytics.withContext({ userId: 'alice' }, () => drain(answer(-1)));
      await analytics.withContext({ userId: 'alice' }, () => assert.rejects(drain(answer(2)), /model overloaded/));
      analytics.withContext({ userId: 'bob' }, () => answer(-1));
      clock.advance(5_000);
      await analytics.shutdown();
      const db = new Database(path, { readonly: true });
      try {
        const rows = db
          .prepare(
            `SELECT user_id, sum(execution_count) AS calls, sum(failure_count) AS failures, sum(upstream_count) AS upstream,
                    sum(cancelled_count) AS cancelled, sum(avg_latency_ms * execution_count) AS latency_ms, max(latency_max_ms) AS slowest_ms
               FROM skill_usage WHERE skill_id = 'answer' GROUP BY user_id ORDER BY user_id`,
          )
          .all();
        assert.deepEqual(rows, [
          { user_id: 'alice', calls: 2, failures: 1, upstream: 1, cancelled: 0, latency_ms: 350, slowest_ms: 200 },
          { user_id: 'bob', calls: 1, failures: 1, upstream: 0, cancelled: 1, latency_ms: 0, slowest_ms: 0 },
        ]);
      } finally {
        db.close();
      }
    });
  });
});
