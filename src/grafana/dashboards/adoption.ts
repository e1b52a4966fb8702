import { CALLS, INSTALLED, chosen, increaseBySkill } from '../promql.js';
import type { DashboardSpec, PanelSpec } from '../panelSpec.js';
import { CHOSEN_SKILLS, DAYS_IN_RANGE, HOURS_IN_RANGE, PREVIOUS_FROM, RANGE_FROM, RANGE_TO, intervalStart, unixSeconds } from '../sql.js';
import { SKILLS_IN_USE } from './usageTrends.js';

// Users are never Prometheus labels unless ANALYTICS_USER_LABELS=true, so the per-user panels read
// the SQLite backend, which keeps every user without growing series.

/** Each active user's distinct skills in the range. */
const SKILLS_OF_USERS = `SELECT user_id, count(DISTINCT skill_id) AS skills
  FROM skill_user_daily
  WHERE ${DAYS_IN_RANGE} AND ${CHOSEN_SKILLS} AND execution_count > 0
  GROUP BY user_id`;

const ACTIVE_USERS: PanelSpec = {
  title: 'Active users per day',
  description: 'Users who called at least one of the chosen skills that day (calls made inside withContext).',
  kind: 'timeseries',
  sqlite: {
    sql: `SELECT ${unixSeconds('day')} AS time, count(DISTINCT user_id) AS active_users
FROM skill_user_daily
WHERE ${DAYS_IN_RANGE} AND ${CHOSEN_SKILLS} AND execution_count > 0
GROUP BY day ORDER BY day`,
    columns: ['time', 'active_users'],
  },
};

const NEW_USERS: PanelSpec = {
  title: 'New users per day',
  description: 'Users whose first call of any chosen skill fell on that day.',
  kind: 'timeseries',
  sqlite: {
    sql: `SELECT ${unixSeconds('first_day')} AS time, count(*) AS new_users
FROM (SELECT user_id, min(first_day) AS first_day FROM skill_user_first WHERE ${CHOSEN_SKILLS} GROUP BY user_id)
WHERE ${DAYS_IN_RANGE.replaceAll('day', 'first_day')}
GROUP BY first_day ORDER BY first_day`,
    columns: ['time', 'new_users'],
  },
};

const SKILLS_PER_USER: PanelSpec = {
  title: 'Skills per user',
  description: 'Mean number of distinct skills an active user called in the time range.',
  kind: 'stat',
  decimals: 1,
  width: 6,
  sqlite: {
    sql: `SELECT avg(skills) AS skills_per_user FROM (${SKILLS_OF_USERS})`,
    columns: ['skills_per_user'],
  },
};

const USAGE_GROWTH: PanelSpec = {
  title: 'Usage growth',
  description: 'Calls in the time range against the range of the same length just before it.',
  kind: 'stat',
  unit: 'percentunit',
  decimals: 1,
  width: 6,
  prometheus: [
    { expr: `sum(increase(${chosen(CALLS)}[$__range])) / sum(increase(${chosen(CALLS)}[$__range] offset $__range)) - 1`, column: 'growth' },
  ],
  sqlite: {
    sql: `SELECT sum(CASE WHEN hour >= ${RANGE_FROM} THEN execution_count ELSE 0 END) * 1.0
       / nullif(sum(CASE WHEN hour < ${RANGE_FROM} THEN execution_count ELSE 0 END), 0) - 1 AS growth
FROM skill_usage_hourly
WHERE hour >= ${PREVIOUS_FROM} AND hour < ${RANGE_TO} AND ${CHOSEN_SKILLS}`,
    columns: ['growth'],
  },
};

const SKILL_COUNT_SPREAD: PanelSpec = {
  title: 'Users by number of skills used',
  description: 'How many active users called 1, 2, 3 … distinct skills in the time range.',
  kind: 'barchart',
  sqlite: {
    sql: `SELECT skills || CASE skills WHEN 1 THEN ' skill' ELSE ' skills' END AS skills_used, count(*) AS users
FROM (${SKILLS_OF_USERS})
GROUP BY skills ORDER BY skills`,
    columns: ['skills_used', 'users'],
  },
};

const ORG_ADOPTION: PanelSpec = {
  title: 'Adoption by org',
  description: 'Per org: active users, distinct skills called, calls, and the share of all skills called in the range that the org uses.',
  kind: 'table',
  width: 24,
  columnUnits: { catalogue_share: 'percentunit' },
  sqlite: {
    sql: `SELECT CASE org_id WHEN '' THEN '(no org)' ELSE org_id END AS org,
       count(DISTINCT user_id) AS users, count(DISTINCT skill_id) AS skills, sum(execution_count) AS calls,
       count(DISTINCT skill_id) * 1.0 / (SELECT count(DISTINCT skill_id) FROM skill_user_daily WHERE ${DAYS_IN_RANGE} AND ${CHOSEN_SKILLS} AND execution_count > 0) AS catalogue_share
FROM skill_user_daily
WHERE ${DAYS_IN_RANGE} AND ${CHOSEN_SKILLS} AND execution_count > 0
GROUP BY org_id ORDER BY calls DESC, org`,
    columns: ['org', 'users', 'skills', 'calls', 'catalogue_share'],
  },
};

const CALLS_PER_USER: PanelSpec = {
  title: 'Calls per active user',
  description: 'Calls of the chosen skills per active user, each day: how engaged the users are.',
  kind: 'timeseries',
  decimals: 1,
  sqlite: {
    sql: `SELECT ${unixSeconds('day')} AS time, sum(execution_count) * 1.0 / count(DISTINCT user_id) AS calls_per_user
FROM skill_user_daily
WHERE ${DAYS_IN_RANGE} AND ${CHOSEN_SKILLS} AND execution_count > 0
GROUP BY day ORDER BY day`,
    columns: ['time', 'calls_per_user'],
  },
};

const INSTALLS: PanelSpec = {
  title: 'Installs by skill',
  description: 'recordInstall() calls per interval.',
  kind: 'timeseries',
  prometheus: [{ expr: increaseBySkill(INSTALLED, '$interval'), legend: '{{skill_id}}' }],
  sqlite: {
    sql: `SELECT ${intervalStart('hour')} AS time, skill_id, sum(install_count) AS installs
FROM skill_usage_hourly
WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS} AND install_count > 0
GROUP BY 1, 2 ORDER BY 1, 2`,
    columns: ['time', 'skill_id', 'installs'],
  },
};

/** The guide's "Adoption Tracking": skills per user, org adoption, usage growth, engagement. */
export const ADOPTION: DashboardSpec = {
  key: 'adoption',
  title: 'Adoption',
  description: 'Who uses the skills: active and new users, skills per user, orgs, installs and growth.',
  panels: [
    SKILLS_PER_USER,
    USAGE_GROWTH,
    SKILL_COUNT_SPREAD,
    ACTIVE_USERS,
    NEW_USERS,
    CALLS_PER_USER,
    ORG_ADOPTION,
    INSTALLS,
    SKILLS_IN_USE,
  ],
};
