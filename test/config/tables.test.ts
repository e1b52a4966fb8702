import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../../src/config/defaults.js';
import { OPTIONS, OPTION_PATHS } from '../../src/config/options.js';
import { valueAt } from '../../src/config/paths.js';
import { ENV_VARIABLES, type EnvName } from '../../src/config/variables.js';

const names = Object.keys(ENV_VARIABLES) as EnvName[];

describe('the variable and option tables', () => {
  it('point every variable at a setting that has an option, or at none', () => {
    for (const name of names) {
      const path = ENV_VARIABLES[name].path;
      assert.ok(path === undefined || Object.hasOwn(OPTIONS, path), `${name} feeds ${path}`);
    }
  });

  it('give every setting a variable and a default', () => {
    for (const path of OPTION_PATHS) {
      assert.ok(
        names.some((name) => ENV_VARIABLES[name].path === path),
        `no variable feeds ${path}`,
      );
      const [section, key] = path.includes('.')
        ? [valueAt(DEFAULTS, path.slice(0, path.indexOf('.'))), path.slice(path.indexOf('.') + 1)]
        : [DEFAULTS, path];
      assert.ok(typeof section === 'object' && section !== null && Object.hasOwn(section, key), `no default for ${path}`);
    }
  });

  it('mark the credentials as secret', () => {
    const secrets = names.filter((name) => ENV_VARIABLES[name].secret);
    assert.deepEqual(secrets, [
      'OTLP_TOKEN',
      'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'GRAFANA_API_KEY',
      'ANALYTICS_QUERY_TOKEN',
    ]);
    assert.deepEqual(
      OPTION_PATHS.filter((path) => OPTIONS[path].secret),
      ['otlp.token', 'otlp.headers', 'grafana.apiKey', 'query.token'],
    );
  });

  it('are documented: docs/configuration.md names every variable and option', () => {
    const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    for (const name of names) assert.ok(docs.includes(`\`${name}\``), `${name} is not in docs/configuration.md`);
    for (const path of OPTION_PATHS) assert.ok(docs.includes(`\`${path}\``), `option ${path} is not in docs/configuration.md`);
  });
});
