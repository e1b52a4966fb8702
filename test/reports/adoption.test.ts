import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import fc from 'fast-check';
import { adoptionReport, type AdoptionReport } from '../../src/reports/adoption.js';
import { emptyRow } from '../../src/sqlite-exporter/rows.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { applyRetention } from '../../src/store/retention.js';
import { SqliteWriter } from '../../src/sqlite-exporter/SqliteWriter.js';
import { insertHourly, insertUserDays, NOW, useAnalyticsDatabase } from './helpers/fixtures.js';

// The '7d' window at NOW touches the days 2026-03-03 to 2026-03-10.

describe('adoptionReport', () => {
  const database = useAnalyticsDatabase();
  let db: Database.Database;

  beforeEach(() => {
    db = database();
    insertUserDays(
      db,
      { skill: 'a', user: 'u1', day: '2026-03-03', org: 'acme' },
      { skill: 'a', user: 'u1', day: '2026-03-05', org: 'acme' },
      { skill: 'a', user: 'u1', day: '2026-03-07', org: 'acme' },
      { skill: 'b', user: 'u1', day: '2026-03-05', org: 'acme' },
      { skill: 'a', user: 'u2', day: '2026-03-04', org: 'globex' },
      { skill: 'c', user: 'u3', day: '2026-03-10' },
      { skill: 'a', user: 'u3', day: '2026-03-10' },
      { skill: 'a', user: 'u4', day: '2026-03-02' },
      { skill: 'b', user: 'u5', day: '2026-03-06', org: 'acme' },
      { skill: 'b', user: 'u5', day: '2026-03-08', org: 'acme' },
    );
    insertHourly(
      db,
      { skill: 'a', org: 'acme', hour: '2026-03-05 10:00:00', calls: 3 },
      { skill: 'a', org: 'globex', hour: '2026-03-04 10:00:00', calls: 1 },
      { skill: 'a', hour: '2026-03-10 09:00:00', calls: 2 },
      { skill: 'b', org: 'acme', hour: '2026-03-05 10:00:00', calls: 3 },
      { skill: 'b', org: 'initech', hour: '2026-03-01 10:00:00', calls: 3 },
      { skill: 'c', hour: '2026-03-10 09:00:00', calls: 1 },
      // calls without a user
      { skill: 'd', org: 'initech', hour: '2026-03-06 10:00:00', calls: 7 },
    );
  });

  it('counts users, skills per user, engaged users and orgs per skill', () => {
    // active: u1 (days 03-03, 03-05, 03-07; skills a, b), u2 (1 day; a), u3 (1 day; a, c), u5 (2 days; b);
    // u4 was active before the window
    // skills per user: one skill u2, u5; two skills u1, u3
    // engaged (3 days or more): u1; mean active days (3 + 1 + 1 + 2) / 4 = 1.75
    // orgs active in the window: acme, globex, initech (b's initech hour is before it)
    // a: users u1, u2, u3; orgs acme, globex → 2/3. b: u1, u5; acme → 1/3. c: u3; no org. d: initech → 1/3
    assert.deepEqual(adoptionReport(db, { now: NOW }), {
      users: 4,
      skillsPerUser: [
        { skills: 1, users: 2 },
        { skills: 2, users: 2 },
      ],
      skills: [
        { skillId: 'a', users: 3, orgs: 2, orgAdoptionRate: 2 / 3 },
        { skillId: 'b', users: 2, orgs: 1, orgAdoptionRate: 1 / 3 },
        { skillId: 'c', users: 1, orgs: 0, orgAdoptionRate: 0 },
        { skillId: 'd', users: 0, orgs: 1, orgAdoptionRate: 1 / 3 },
      ],
      totalOrgs: 3,
      engagedUsers: 1,
      averageActiveDays: 1.75,
    });
  });

  it('takes the days that make a user engaged from the options', () => {
    // u1 (3 days) and u5 (2 days)
    assert.equal(adoptionReport(db, { now: NOW, engagedDays: 2 }).engagedUsers, 2);
  });

  it("reports one org's users and skills with orgId", () => {
    // acme: u1 (3 days; a, b) and u5 (2 days; b)
    assert.deepEqual(adoptionReport(db, { now: NOW, orgId: 'acme' }), {
      users: 2,
      skillsPerUser: [
        { skills: 1, users: 1 },
        { skills: 2, users: 1 },
      ],
      skills: [
        { skillId: 'b', users: 2, orgs: 1, orgAdoptionRate: 1 },
        { skillId: 'a', users: 1, orgs: 1, orgAdoptionRate: 1 },
      ],
      totalOrgs: 1,
      engagedUsers: 1,
      averageActiveDays: 2.5,
    });
  });

  it('reports nothing, without dividing by zero, over an empty window', () => {
    assert.deepEqual(adoptionReport(db, { now: NOW, window: { from: '2025-01-01', to: '2025-01-02' } }), {
      users: 0,
      skillsPerUser: [],
      skills: [],
      totalOrgs: 0,
      engagedUsers: 0,
      averageActiveDays: 0,
    });
  });

  it('refuses engagedDays below 1', () => {
    assert.throws(
      () => adoptionReport(db, { engagedDays: 0 }),
      /^RangeError: adoptionReport: option "engagedDays" must be a whole number, 1 or more, got 0$/,
    );
  });

  it('equals a count over the raw rows, for any exports in any order, with or without an org, after retention (property)', () => {
    const activity = fc.record({
      skill: fc.constantFrom('a', 'b', 'c'),
      user: fc.option(fc.constantFrom('u1', 'u2', 'u3', 'u4'), { nil: null }),
      org: fc.option(fc.constantFrom('acme', 'globex'), { nil: null }),
      // Two weeks of hours up to NOW's, so days before the window, its partial first day and its last.
      hour: fc.integer({ min: 0, max: 14 * 24 - 1 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(activity, { maxLength: 10 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (exports, prune) => {
        const fresh = openAnalyticsDatabase(':memory:');
        try {
          const writer = new SqliteWriter(fresh);
          const rows = exports.map((batch) =>
            batch.map(({ skill, user, org, hour }) => emptyRow(skill, user, org, timeAt(hour), timeAt(hour), false)),
          );
          for (const usage of rows) writer.write({ usage, points: [] });
          // Retention keeps the days from 2026-03-05: the window reaches back past the rows kept.
          if (prune) applyRetention(fresh, { retentionDays: 5, now: NOW });
          const written = prune ? rows.flat().filter((row) => row.timestamp >= '2026-03-05') : rows.flat();
          for (const orgId of [undefined, 'acme']) {
            assert.deepEqual(adoptionReport(fresh, { now: NOW, orgId }), adoptionFromRaw(written, orgId), `orgId ${String(orgId)}`);
          }
        } finally {
          fresh.close();
        }
      }),
      { numRuns: 100 },
    );
  });
});

/** SQLite UTC time `hours` hours before NOW's hour. */
function timeAt(hours: number): string {
  return new Date(Math.floor(NOW / 3_600_000) * 3_600_000 - hours * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The '7d' adoption report at NOW worked out from the raw rows, in the order they were written:
 * users by the days 2026-03-03 to 2026-03-10 and the org of each skill, user and day's last row;
 * orgs by the hours 2026-03-03 13:00 to 2026-03-10 13:00.
 */
function adoptionFromRaw(
  rows: readonly { skillId: string; userId: string | null; orgId: string | null; timestamp: string }[],
  orgId: string | undefined,
): AdoptionReport {
  const lastOrg = new Map<string, string>();
  for (const row of rows) {
    const day = row.timestamp.slice(0, 10);
    if (row.userId !== null && day >= '2026-03-03') lastOrg.set(JSON.stringify([row.skillId, row.userId, day]), row.orgId ?? '');
  }
  const days = new Map<string, Set<string>>();
  const skills = new Map<string, Set<string>>();
  for (const [key, org] of lastOrg) {
    const [skillId, userId, day] = JSON.parse(key) as [string, string, string];
    if (orgId !== undefined && org !== orgId) continue;
    days.set(userId, (days.get(userId) ?? new Set()).add(day));
    skills.set(userId, (skills.get(userId) ?? new Set()).add(skillId));
  }
  const orgsBySkill = new Map<string, Set<string>>();
  for (const row of rows) {
    if (row.timestamp < '2026-03-03 13:00:00' || row.orgId === null || (orgId !== undefined && row.orgId !== orgId)) continue;
    orgsBySkill.set(row.skillId, (orgsBySkill.get(row.skillId) ?? new Set()).add(row.orgId));
  }
  const totalOrgs = new Set([...orgsBySkill.values()].flatMap((orgs) => [...orgs])).size;
  const usersOf = (skillId: string) => [...skills.values()].filter((used) => used.has(skillId)).length;
  const perUser = (counts: number[]) =>
    [...new Set(counts)].sort((a, b) => a - b).map((n) => ({ skills: n, users: counts.filter((count) => count === n).length }));
  const activeDays = [...days.values()].map((set) => set.size);
  return {
    users: days.size,
    skillsPerUser: perUser([...skills.values()].map((set) => set.size)),
    skills: [...new Set([...[...skills.values()].flatMap((set) => [...set]), ...orgsBySkill.keys()])]
      .map((skillId) => {
        const orgs = orgsBySkill.get(skillId)?.size ?? 0;
        return { skillId, users: usersOf(skillId), orgs, orgAdoptionRate: totalOrgs > 0 ? orgs / totalOrgs : null };
      })
      .sort((a, b) => b.users - a.users || b.orgs - a.orgs || (a.skillId < b.skillId ? -1 : 1)),
    totalOrgs,
    engagedUsers: activeDays.filter((count) => count >= 3).length,
    averageActiveDays: activeDays.length === 0 ? 0 : activeDays.reduce((sum, count) => sum + count, 0) / activeDays.length,
  };
}
