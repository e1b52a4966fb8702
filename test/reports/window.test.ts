import assert from 'node:assert/strict';
import { byDays, dayRange, resolveWindow, shiftRange, type WindowSpec } from '../../src/reports/window.js';
import { NOW } from './helpers/fixtures.js';

const HOUR_MS = 3_600_000;

describe('resolveWindow', () => {
  it('ends a relative window at the hour after now and starts it its length earlier', () => {
    // now 2026-03-10 12:30 → to 13:00 (the current hour is in), from 7 × 24 h earlier
    assert.deepEqual(resolveWindow('7d', NOW), {
      label: '7d',
      from: '2026-03-03 13:00:00',
      to: '2026-03-10 13:00:00',
      lengthMs: 7 * 24 * HOUR_MS,
      previous: { from: '2026-02-24 13:00:00', to: '2026-03-03 13:00:00' },
    });
  });

  it('resolves 24h, 30d and any whole number of hours or days', () => {
    assert.equal(resolveWindow('24h', NOW).from, '2026-03-09 13:00:00');
    // 2026-03-10 13:00 minus 30 days: February has 28 days in 2026
    assert.equal(resolveWindow('30d', NOW).from, '2026-02-08 13:00:00');
    assert.equal(resolveWindow('12h', NOW).from, '2026-03-10 01:00:00');
    assert.equal(resolveWindow('90d', NOW).lengthMs, 90 * 24 * HOUR_MS);
  });

  it('keeps the hour that starts exactly at now', () => {
    const window = resolveWindow('1h', Date.parse('2026-03-10T12:00:00Z'));
    assert.deepEqual([window.from, window.to], ['2026-03-10 12:00:00', '2026-03-10 13:00:00']);
  });

  it('widens an explicit range to whole hours and labels it from..to', () => {
    const window = resolveWindow({ from: new Date('2026-03-01T10:15:00Z'), to: '2026-03-01T14:20:00+02:00' }, NOW);
    // 10:15Z rounds down to 10:00; 14:20+02:00 is 12:20Z, which rounds up to 13:00
    assert.deepEqual(window, {
      label: '2026-03-01 10:00:00..2026-03-01 13:00:00',
      from: '2026-03-01 10:00:00',
      to: '2026-03-01 13:00:00',
      lengthMs: 3 * HOUR_MS,
      previous: { from: '2026-03-01 07:00:00', to: '2026-03-01 10:00:00' },
    });
  });

  it('reads days and times without a zone as UTC, in ISO or SQLite form', () => {
    const window = resolveWindow({ from: '2026-03-01', to: '2026-03-08 00:00:00' });
    assert.deepEqual([window.from, window.to], ['2026-03-01 00:00:00', '2026-03-08 00:00:00']);
    assert.equal(resolveWindow({ from: '2026-03-01T10:00', to: '2026-03-01T11:00' }).from, '2026-03-01 10:00:00');
  });

  it('does not depend on now for an explicit range', () => {
    const spec = { from: '2026-03-01', to: '2026-03-02' };
    assert.deepEqual(resolveWindow(spec, 0), resolveWindow(spec, NOW));
  });

  const malformed: [string, unknown, RegExp][] = [
    [
      'an unknown unit',
      '7x',
      /^RangeError: resolveWindow: window "7x" is malformed; use '24h', '7d', '30d', another whole number of hours or days/,
    ],
    ['a zero length', '0d', /window "0d" is malformed/],
    ['a fraction', '1.5d', /window "1.5d" is malformed/],
    ['a negative length', '-7d', /window "-7d" is malformed/],
    ['spaces', ' 7d', /window " 7d" is malformed/],
    ['a length past a hundred years', '36501d', /^RangeError: .*window "36501d" is too long; use at most 36500d/],
    [
      'a date that is not one',
      { from: 'last tuesday', to: '2026-03-01' },
      /^RangeError: resolveWindow: window from "last tuesday" is not a date; use a Date, an ISO 8601 string/,
    ],
    ['an invalid Date', { from: '2026-03-01', to: new Date(Number.NaN) }, /window to Invalid Date is not a date/],
    [
      'a range that ends before it starts',
      { from: '2026-03-02', to: '2026-03-01' },
      /^RangeError: .*window from "2026-03-02" is not before to "2026-03-01"; give a range that ends after it starts/,
    ],
    ['an empty range', { from: '2026-03-01 10:00:00', to: '2026-03-01 10:00:00' }, /is not before/],
    ['a number', 7, /^TypeError: resolveWindow: option "window" must be '24h', '7d', '30d'.*, or \{ from, to \}, got 7/],
    ['an object without to', { from: '2026-03-01' }, /^TypeError: .*got \{"from":"2026-03-01"\}/],
  ];
  for (const [what, spec, message] of malformed) {
    it(`refuses ${what}, saying what is allowed`, () => {
      assert.throws(
        () => resolveWindow(spec as WindowSpec, NOW),
        (error: Error) => message.test(`${error.name}: ${error.message}`),
      );
    });
  }

  it('refuses a now that is not a time', () => {
    assert.throws(() => resolveWindow('7d', Number.NaN), /^TypeError: resolveWindow: option "now" must be epoch milliseconds, got NaN$/);
  });
});

describe('dayRange', () => {
  it('covers every day the window touches, partial ones included', () => {
    // 2026-03-03 13:00 to 2026-03-10 13:00: the last hour is 12:00 on the 10th
    assert.deepEqual(dayRange(resolveWindow('7d', NOW)), { fromDay: '2026-03-03', toDay: '2026-03-11' });
  });

  it('stops at a window that ends at midnight', () => {
    assert.deepEqual(dayRange({ from: '2026-03-01 00:00:00', to: '2026-03-08 00:00:00' }), { fromDay: '2026-03-01', toDay: '2026-03-08' });
  });
});

describe('shiftRange', () => {
  it('moves a range back by whole window lengths', () => {
    const window = resolveWindow('24h', NOW);
    assert.deepEqual(shiftRange(window, window.lengthMs, 2), { from: '2026-03-07 13:00:00', to: '2026-03-08 13:00:00' });
  });

  describe('byDays', () => {
    it('cuts a range at midnight into whole days and the hours at its two ends', () => {
      assert.deepEqual(byDays({ from: '2026-11-20 15:00:00', to: '2026-11-27 15:00:00' }), {
        days: { fromDay: '2026-11-21', toDay: '2026-11-27' },
        hours: [
          { from: '2026-11-20 15:00:00', to: '2026-11-21 00:00:00' },
          { from: '2026-11-27 00:00:00', to: '2026-11-27 15:00:00' },
        ],
      });
    });

    it('needs no hours for a range from midnight to midnight, and no days for a range within one day', () => {
      assert.deepEqual(byDays({ from: '2026-11-20 00:00:00', to: '2026-11-22 00:00:00' }), {
        days: { fromDay: '2026-11-20', toDay: '2026-11-22' },
        hours: [],
      });
      const sameDay = { from: '2026-11-20 03:00:00', to: '2026-11-20 09:00:00' };
      assert.deepEqual(byDays(sameDay), { days: undefined, hours: [sameDay] });
      const acrossMidnight = { from: '2026-11-20 21:00:00', to: '2026-11-21 03:00:00' };
      assert.deepEqual(byDays(acrossMidnight), { days: undefined, hours: [acrossMidnight] });
    });
  });
});
