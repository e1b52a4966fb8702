import { CALLS, increaseBySkill, successRate } from '../promql.js';
import type { DashboardSpec, PanelSpec } from '../panelSpec.js';
import { CHOSEN_SKILLS, HOURS_IN_RANGE, PREVIOUS_FROM, RANGE_FROM, RANGE_TO, intervalStart } from '../sql.js';

/** Calls per skill and interval: the usage line chart. */
export const CALLS_BY_SKILL: PanelSpec = {
  title: 'Calls by skill',
  description: 'Skill calls per interval (successful or not), one line per skill.',
  kind: 'timeseries',
  width: 24,
  prometheus: [{ expr: increaseBySkill(CALLS, '$interval'), legend: '{{skill_id}}' }],
  sqlite: {
    sql: `SELECT ${intervalStart('hour')} AS time, skill_id, sum(execution_count) AS calls
FROM skill_usage_hourly
WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS}
GROUP BY 1, 2 ORDER BY 1, 2`,
    columns: ['time', 'skill_id', 'calls'],
  },
};

/** Distinct skills called per interval: how much of the catalogue is in use (the adoption curve). */
export const SKILLS_IN_USE: PanelSpec = {
  title: 'Skills in use',
  description: 'How many distinct skills were called in each interval.',
  kind: 'timeseries',
  prometheus: [{ expr: `count(${increaseBySkill(CALLS, '$interval')} > 0)`, legend: 'skills' }],
  sqlite: {
    sql: `SELECT ${intervalStart('hour')} AS time, count(DISTINCT skill_id) AS skills
FROM skill_usage_hourly
WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS} AND execution_count > 0
GROUP BY 1 ORDER BY 1`,
    columns: ['time', 'skills'],
  },
};

const SUCCESS_RATE: PanelSpec = {
  title: 'Success rate by skill',
  description: 'Share of calls that returned without error, per interval.',
  kind: 'timeseries',
  unit: 'percentunit',
  min: 0,
  max: 1,
  prometheus: [{ expr: successRate('$interval'), legend: '{{skill_id}}' }],
  sqlite: {
    sql: `SELECT ${intervalStart('hour')} AS time, skill_id, sum(success_count) * 1.0 / sum(execution_count) AS success_rate
FROM skill_usage_hourly
WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS}
GROUP BY 1, 2 HAVING sum(execution_count) > 0 ORDER BY 1, 2`,
    columns: ['time', 'skill_id', 'success_rate'],
  },
};

const TRENDING: PanelSpec = {
  title: 'Trending skills',
  description: 'The 10 skills whose calls grew most against the range of the same length just before the shown one.',
  kind: 'table',
  prometheus: [
    {
      expr: `topk(10, ${increaseBySkill(CALLS, '$__range')} - (${increaseBySkill(CALLS, '$__range', '$__range')} or ${increaseBySkill(CALLS, '$__range')} * 0))`,
      column: 'growth',
    },
  ],
  sqlite: {
    sql: `SELECT skill_id,
       sum(CASE WHEN hour >= ${RANGE_FROM} THEN execution_count ELSE 0 END) AS calls,
       sum(CASE WHEN hour < ${RANGE_FROM} THEN execution_count ELSE 0 END) AS previous_calls,
       sum(CASE WHEN hour >= ${RANGE_FROM} THEN execution_count ELSE -execution_count END) AS growth
FROM skill_usage_hourly
WHERE hour >= ${PREVIOUS_FROM} AND hour < ${RANGE_TO} AND ${CHOSEN_SKILLS}
GROUP BY skill_id ORDER BY growth DESC, skill_id LIMIT 10`,
    columns: ['skill_id', 'calls', 'previous_calls', 'growth'],
  },
};

/** The guide's "Usage Trends": usage over time, success rates, adoption curve, trending skills. */
export const USAGE_TRENDS: DashboardSpec = {
  key: 'usage-trends',
  title: 'Usage Trends',
  description: 'How much each skill is called, how often it succeeds, and which skills are growing.',
  panels: [CALLS_BY_SKILL, SUCCESS_RATE, SKILLS_IN_USE, TRENDING],
};
