import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/loadConfig.js';
import type { AnalyticsOptions } from '../../src/config/types.js';
import { ConfigError, type ConfigProblem } from '../../src/core/errors.js';

/** A plain environment; tests never touch process.env. */
export type Env = Record<string, string | undefined>;

/** The ConfigError loadConfig throws for `env` and `options`; fails the test when it does not throw one. */
export function configErrorOf(env: Env, options: AnalyticsOptions = {}): ConfigError {
  try {
    loadConfig(env, options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected loadConfig to throw a ConfigError');
}

/** The one problem reported about `source`. */
export function problemAbout(source: string, env: Env, options: AnalyticsOptions = {}): ConfigProblem {
  const problems = configErrorOf(env, options).problems.filter((problem) => problem.source === source);
  assert.equal(problems.length, 1, `expected one problem about ${source}, got ${JSON.stringify(problems)}`);
  return problems[0] as ConfigProblem;
}

/** The line of the error message about `source`, e.g. `PROMETHEUS_PORT=abc: expected …`. */
export function lineAbout(source: string, env: Env, options: AnalyticsOptions = {}): string {
  const problem = problemAbout(source, env, options);
  return `${problem.source}=${problem.value}: ${problem.expected}`;
}
