import assert from 'node:assert/strict';
import { eventsBetween, history, totalsByDay, type History } from './history.js';
import { REPLAY_SKILLS, totalsBy, type ReplayEvent } from './replay.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// A Monday 00:00 UTC, so the two weeks hold whole weekdays and weekends.
const END = Date.parse('2026-03-16T00:00:00Z');

const calls = (events: readonly ReplayEvent[]) => events.filter((event) => event.kind === 'call');

describe('a seeded multi-day history', () => {
  const twoWeeks: History = history({ seed: 11, end: END });

  it('is the same for the same seed and differs for another', () => {
    assert.deepEqual(history({ seed: 11, end: END, days: 2 }), history({ seed: 11, end: END, days: 2 }));
    assert.notDeepEqual(history({ seed: 12, end: END, days: 2 }).ticks, history({ seed: 11, end: END, days: 2 }).ticks);
  });

  it('has a tick every 5 minutes from 14 days before the end to the end, the first one empty', () => {
    const times = twoWeeks.ticks.map((tick) => tick.time);
    assert.equal(times[0], END - 14 * DAY);
    assert.equal(times.at(-1), END);
    assert.equal(times.length, (14 * DAY) / (5 * 60_000) + 1);
    assert.ok(times.every((time, i) => i === 0 || time - times[i - 1]! === 5 * 60_000));
    assert.deepEqual(twoWeeks.ticks[0]!.events, []);
  });

  it('ends by default at the last whole hour before now', () => {
    const before = Math.floor(Date.now() / HOUR) * HOUR;
    const end = history({ seed: 1, days: 1, sampleIntervalMinutes: 60 }).ticks.at(-1)!.time;
    const after = Math.floor(Date.now() / HOUR) * HOUR;
    assert.ok(end === before || end === after, `${new Date(end).toISOString()}`);
  });

  it('offers the replay’s six skills, then more made from them, with a new one released late', () => {
    const ids = history({ seed: 1, days: 1, skills: 20, end: END }).skills.map((skill) => skill.id);
    assert.deepEqual(
      ids.slice(0, 6),
      REPLAY_SKILLS.map((skill) => skill.id),
    );
    assert.deepEqual(ids.slice(6, 8), ['web_search_2', 'run_sql_2']);
    assert.equal(new Set(ids).size, 20);
    assert.deepEqual(
      twoWeeks.skills.map((skill) => skill.role),
      ['steady', 'steady', 'steady', 'rising', 'improving', 'steady', 'steady', 'new'],
    );
  });

  it('calls a new skill only from its release, in the last fifth of the history', () => {
    const released = twoWeeks.skills.find((skill) => skill.role === 'new')!;
    assert.ok(released.releasedAt >= END - 14 * DAY * 0.2, new Date(released.releasedAt).toISOString());
    const before = eventsBetween(twoWeeks.ticks, 0, released.releasedAt).filter((event) => event.skillId === released.id);
    const after = eventsBetween(twoWeeks.ticks, released.releasedAt, END + 1).filter((event) => event.skillId === released.id);
    assert.deepEqual([before.length, after.length > 0], [0, true]);
  });

  it('gives the rising skill a growing share of the calls and the improving one fewer failures', () => {
    const [first, last] = [eventsBetween(twoWeeks.ticks, 0, END - 10 * DAY), eventsBetween(twoWeeks.ticks, END - 4 * DAY, END + 1)];
    const share = (events: ReplayEvent[], id: string) => calls(events).filter((e) => e.skillId === id).length / calls(events).length;
    assert.ok(share(last, 'send_email') > 2 * share(first, 'send_email'));
    const failureRate = (events: ReplayEvent[]) => {
      const mine = calls(events).filter((e) => e.kind === 'call' && e.skillId === 'code_interpreter');
      return mine.filter((e) => e.kind === 'call' && e.errorType !== undefined).length / mine.length;
    };
    assert.ok(failureRate(first) > 2 * failureRate(last), `${failureRate(first)} then ${failureRate(last)}`);
  });

  it('is busier on weekdays than at weekends', () => {
    // 2026-03-07 and 08 are a Saturday and a Sunday; the 9th and 10th a Monday and a Tuesday.
    const weekend = calls(eventsBetween(twoWeeks.ticks, Date.parse('2026-03-07T00:00:00Z'), Date.parse('2026-03-09T00:00:00Z')));
    const weekdays = calls(eventsBetween(twoWeeks.ticks, Date.parse('2026-03-09T00:00:00Z'), Date.parse('2026-03-11T00:00:00Z')));
    assert.ok(weekdays.length > 2 * weekend.length, `${weekdays.length} against ${weekend.length}`);
  });

  it('adds up its days to its whole, a tick counting on the UTC day of its time', () => {
    const days = totalsByDay(twoWeeks.ticks);
    assert.deepEqual(
      days.map((day) => day.day),
      Array.from({ length: 15 }, (_, i) => new Date(END - 14 * DAY + i * DAY).toISOString().slice(0, 10)),
    );
    const lastDayCalls = [...days.at(-1)!.bySkill.values()].reduce((sum, total) => sum + total.executions, 0);
    assert.equal(lastDayCalls, calls(eventsBetween(twoWeeks.ticks, END, END + 1)).length, 'the tick at midnight is on the new day');
    const whole = totalsBy(
      twoWeeks.ticks.flatMap((tick) => tick.events),
      (event) => event.skillId,
    );
    for (const [skill, total] of whole) {
      const summed = days.reduce((sum, day) => sum + (day.bySkill.get(skill)?.executions ?? 0), 0);
      assert.equal(summed, total.executions, skill);
    }
  });

  it('refuses options out of range, naming them', () => {
    assert.throws(() => history({ seed: 1, days: 0 }), /history: days must be a whole number >= 1, got 0/);
    assert.throws(() => history({ seed: 1, sampleIntervalMinutes: 7 }), /sampleIntervalMinutes must divide a day, got 7/);
    assert.throws(() => history({ seed: 1, skills: 0 }), /skills must be a whole number >= 1, got 0/);
    assert.throws(() => history({ seed: 1, callsPerSample: 0 }), /callsPerSample must be above 0, got 0/);
    assert.throws(() => history({ seed: 1, end: END + 1 }), /end must be epoch ms on a sample boundary/);
  });
});
