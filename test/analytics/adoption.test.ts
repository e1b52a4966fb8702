import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { adoptionReport } from '../../src/analytics/adoption.js';
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
    assert.throws(() => adoptionReport(db, { engagedDays: 0 }), /^RangeError: adoptionReport: option "engagedDays" must be a whole number, 1 or more, got 0$/);
  });
});
