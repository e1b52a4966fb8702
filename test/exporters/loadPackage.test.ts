import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadExporterPackage } from '../../src/exporters/loadPackage.js';
import { sdkMajorVersion } from '../../src/exporters/otelLine.js';
import { MissingExporterError } from '../../src/core/errors.js';

/** The installed sdk-metrics major, read independently of the code under test. */
function installedSdkMajor(): number {
  const entry = createRequire(import.meta.url).resolve('@opentelemetry/sdk-metrics');
  let directory = dirname(entry);
  while (!directory.endsWith(join('@opentelemetry', 'sdk-metrics'))) directory = dirname(directory);
  return Number.parseInt((JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as { version: string }).version, 10);
}

describe('loading an exporter package', () => {
  it('knows which OpenTelemetry line the application installed', () => {
    assert.equal(sdkMajorVersion(), installedSdkMajor());
  });

  it('names the package and the range of the installed line when an exporter is missing', () => {
    const range = installedSdkMajor() === 3 ? '^0.301.0' : '^0.223.0';
    assert.throws(
      () => loadExporterPackage('prometheus', '@opentelemetry/exporter-not-installed'),
      (error) =>
        error instanceof MissingExporterError &&
        error.code === 'TW_MISSING_EXPORTER' &&
        error.message ===
          'The prometheus backend needs the package @opentelemetry/exporter-not-installed, which is not installed: ' +
            `run \`npm install @opentelemetry/exporter-not-installed@${range}\` (the exporters of your OpenTelemetry line), ` +
            'or remove prometheus from ANALYTICS_BACKEND.',
    );
  });

  it('loads an installed exporter', () => {
    const loaded = loadExporterPackage<{ PrometheusExporter: unknown }>('prometheus', '@opentelemetry/exporter-prometheus');
    assert.equal(typeof loaded.PrometheusExporter, 'function');
  });
});
