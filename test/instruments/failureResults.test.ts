import assert from 'node:assert/strict';
import sinon from 'sinon';
import { log } from '../../src/core/log.js';
import { FAILURES, LATENCY, SUCCESSES } from '../../src/instruments/names.js';
import { collectByName, histogramOf, pointValue, testSkills } from '../helpers/collect.js';

const [OK, FAIL, LAT] = [SUCCESSES.name, FAILURES.name, LATENCY.name];

/** An MCP CallToolResult reporting a tool error, as an MCP server's tool returns it to the model. */
function toolError(text: string) {
  return { content: [{ type: 'text', text }], isError: true };
}

function manualClock(startMs = Date.parse('2026-03-02T10:00:00Z')) {
  let now = startMs;
  return { now: () => now, monotonic: () => now, advance: (ms: number) => (now += ms) };
}

describe('failures that are results', () => {
  afterEach(() => {
    sinon.restore();
    log.over('failure-of-threw');
    log.over('failure-of-answer');
  });

  it('counts an MCP result with isError as an internal failure and returns the very object, sync or async', async () => {
    const clock = manualClock();
    const { skills, reader } = testSkills({ clock });
    const sync = toolError('no such city');
    const async = toolError('weather service down');
    const lookup = skills.wrap('lookup', () => sync);
    const fetchWeather = skills.wrap('weather', async () => {
      clock.advance(40);
      return async;
    });
    assert.equal(lookup(), sync);
    assert.equal(await fetchWeather(), async);
    assert.deepEqual(async, toolError('weather service down'), 'untouched');
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'lookup', error_type: 'internal' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'weather', error_type: 'internal' }), 1);
    assert.equal(pointValue(metrics, OK, { skill_id: 'weather' }) ?? 0, 0);
    assert.equal(histogramOf(metrics, LAT, { skill_id: 'weather', outcome: 'failure' })?.sum, 40);
  });

  it('takes only the MCP shape by default: isError exactly true and a content array', async () => {
    const { skills, reader } = testSkills();
    const results = [
      { content: [], isError: false },
      { content: 'text', isError: true },
      { isError: 'true', content: [] },
      { content: [{ type: 'text', text: 'fine' }] },
      [{ isError: true }],
      'isError',
      null,
    ];
    for (const result of results) assert.equal(skills.wrap('shapes', () => result)(), result);
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, OK, { skill_id: 'shapes' }), results.length);
  });

  it("uses the classifier on an MCP error result, so an application's classifyError can type it", async () => {
    const { skills, reader } = testSkills({
      classifyError: (error) => ((error as { _meta?: { code?: string } })._meta?.code === 'RATE' ? 'rate_limited' : undefined),
    });
    const tool = skills.wrap('mcp_tool', (code: string) => ({ ...toolError('slow down'), _meta: { code } }));
    tool('RATE');
    tool('OTHER');
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'mcp_tool', error_type: 'rate_limited' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'mcp_tool', error_type: 'internal' }), 1);
  });

  it('lets failureOf type failures, clear the default rule with false, and defer to it with undefined', async () => {
    const { skills, reader } = testSkills();
    type Reply = { ok: boolean; status?: number; isError?: boolean; content?: unknown[] };
    const reply = skills.wrap('reply', (value: Reply) => value, {
      failureOf: (result) => {
        const { ok, status } = result as Reply;
        if (status === 429) return 'rate_limited';
        if (status === 200) return false;
        if (!ok) return true;
        return undefined;
      },
      classifyError: (error) => ((error as Reply).status === 503 ? 'upstream' : undefined),
    });
    const limited = { ok: false, status: 429 };
    assert.equal(reply(limited), limited);
    reply({ ok: false, status: 503 }); // true: typed by classifyError
    reply({ ok: false }); // true: the built-in rules: internal
    reply({ ok: true, status: 200, ...toolError('ignored') }); // false wins over the MCP shape
    reply({ ok: true, ...toolError('by default') }); // undefined: the MCP rule
    reply({ ok: true });
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'reply', error_type: 'rate_limited' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'reply', error_type: 'upstream' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'reply', error_type: 'internal' }), 2);
    assert.equal(pointValue(metrics, OK, { skill_id: 'reply' }), 2);
  });

  it('judges primitive results too when failureOf is given', async () => {
    const { skills, reader } = testSkills();
    const shell = skills.wrap('shell', (out: string) => out, {
      failureOf: (result) => (typeof result === 'string' && result.startsWith('ERROR') ? 'upstream' : undefined),
    });
    assert.equal(shell('ERROR: host unreachable'), 'ERROR: host unreachable');
    assert.equal(shell('ok'), 'ok');
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'shell', error_type: 'upstream' }), 1);
    assert.equal(pointValue(metrics, OK, { skill_id: 'shell' }), 1);
  });

  it("takes the SkillMetrics' failureOf for every wrap without its own", async () => {
    const { skills, reader } = testSkills({
      failureOf: (result) => ((result as { ok?: boolean }).ok === false ? 'validation' : undefined),
    });
    skills.wrap('a', () => ({ ok: false }))();
    skills.wrap('b', () => ({ ok: false }), { failureOf: () => false })();
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'a', error_type: 'validation' }), 1);
    assert.equal(pointValue(metrics, OK, { skill_id: 'b' }), 1);
  });

  it('counts the call as internal when failureOf throws or answers junk, says so once, and still returns the result', async () => {
    const { skills, reader } = testSkills();
    const error = sinon.stub(log, 'error');
    const warn = sinon.stub(log, 'warn');
    const result = { rows: 3 };
    const throwing = skills.wrap('throwing', () => result, {
      failureOf: () => {
        throw new Error('bad hook');
      },
    });
    const junk = skills.wrap('junk', () => result, { failureOf: () => 'broken' as never });
    const numeric = skills.wrap('numeric', () => result, { failureOf: () => 1 as never });
    for (let i = 0; i < 2; i++) {
      assert.equal(throwing(), result);
      assert.equal(junk(), result);
      assert.equal(numeric(), result);
    }
    const metrics = await collectByName(reader);
    for (const skill_id of ['throwing', 'junk', 'numeric'])
      assert.equal(pointValue(metrics, FAIL, { skill_id, error_type: 'internal' }), 2);
    assert.equal(error.callCount, 1);
    assert.match(String(error.firstCall.args[0]), /the failureOf hook threw/);
    assert.equal(warn.callCount, 1);
    assert.match(String(warn.firstCall.args[0]), /failureOf returned "broken", which is neither an error type/);
  });

  it("judges a timer's end({ result }) like a returned result", async () => {
    const { skills, reader } = testSkills();
    skills.startTimer('timed').end({ result: toolError('nope') });
    skills.startTimer('timed').end({ result: { content: [] } });
    skills.startTimer('timed', { failureOf: () => 'timeout' }).end({ result: 'late' });
    skills.startTimer('timed', { failureOf: () => 'timeout' }).end();
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'timed', error_type: 'internal' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'timed', error_type: 'timeout' }), 1);
    assert.equal(pointValue(metrics, OK, { skill_id: 'timed' }), 2, 'no result: nothing to judge');
  });

  it('rejects a failureOf that is not a function, and streams that is not a boolean, when wrapping', () => {
    const { skills } = testSkills();
    assert.throws(
      () => skills.wrap('x', () => 1, { failureOf: 'isError' as never }),
      /wrap\("x"\): failureOf must be a function of the call's result, got string/,
    );
    assert.throws(() => skills.wrap('x', () => 1, { streams: 'no' as never }), /wrap\("x"\): streams must be true or false, got "no"/);
  });
});
