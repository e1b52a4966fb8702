import assert from 'node:assert/strict';
import sinon from 'sinon';
import { log } from '../../src/core/log.js';
import { currentIdentity } from '../../src/instruments/identity.js';
import { detailProvider } from '../helpers/collect.js';
import { mapExport } from '../../src/sqlite-exporter/mapping.js';

describe('identities as applications really pass them', () => {
  afterEach(() => sinon.restore());

  it('takes a number as its decimal string, so numbered users stay apart', async () => {
    const { skills, detailReader } = detailProvider();
    const call = skills.wrap('web_search', () => 1);
    for (const userId of [1001, 1002, 1003, 1004]) skills.withContext({ userId: userId as never, orgId: 7 as never }, call);
    const { usage } = mapExport((await detailReader.collect()).resourceMetrics);
    assert.deepEqual(
      usage.map((row) => [row.userId, row.orgId, row.executions]),
      [
        ['1001', '7', 1],
        ['1002', '7', 1],
        ['1003', '7', 1],
        ['1004', '7', 1],
      ],
    );
  });

  it('runs the function with a bad id dropped, saying so once per reason', async () => {
    const warn = sinon.stub(log, 'warn');
    const { skills, detailReader } = detailProvider();
    const call = skills.wrap('web_search', () => 'ran');
    const bad: unknown[] = [{ id: 1 }, { id: 2 }, Symbol('u'), 'a\u0000b', 'x'.repeat(300), true, Number.NaN, ['u']];
    for (const userId of bad) assert.equal(skills.withContext({ userId: userId as never, orgId: 'acme' }, call), 'ran');
    assert.equal(skills.withContext(null as never, call), 'ran');
    const { usage } = mapExport((await detailReader.collect()).resourceMetrics);
    assert.deepEqual(
      usage.map((row) => [row.userId, row.orgId, row.executions]),
      [
        [null, 'acme', 8],
        [null, null, 1],
      ],
    );
    const messages = warn.getCalls().map((c) => String(c.args[0]));
    assert.deepEqual(messages.length, new Set(messages).size, 'each reason once');
    assert.ok(
      messages.some((m) => /withContext: userId is an object/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /userId has a control character/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => /userId is longer than 256 characters/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.every((m) => m.includes('recorded without it') && !m.includes('x'.repeat(50))),
      messages.join('\n'),
    );
  });

  it('treats null and undefined as anonymous, without a word', () => {
    const warn = sinon.stub(log, 'warn');
    const { skills } = detailProvider();
    skills.withContext({ userId: null as never, orgId: undefined }, () => assert.deepEqual(currentIdentity(), {}));
    assert.equal(warn.callCount, 0);
  });

  it('attributes a rating or install with a numeric id to its string, and drops a bad one', async () => {
    sinon.stub(log, 'warn');
    const { skills, detailReader } = detailProvider();
    skills.rate('web_search', 5, { userId: 42 as never });
    skills.recordInstall('web_search', { userId: {} as never, orgId: 'acme' });
    const { usage } = mapExport((await detailReader.collect()).resourceMetrics);
    assert.deepEqual(
      usage.map((row) => [row.userId, row.orgId, row.ratingCount, row.installs]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [
        ['42', null, 1, 0],
        [null, 'acme', 0, 1],
      ],
    );
  });
});
