#!/usr/bin/env node
// The two OpenTelemetry JS lines we support, and a switch between them for CI's second leg.
//   node scripts/otel-lines.mjs use 3     rewrites package.json's dev copies to the 3.x line
//   node scripts/otel-lines.mjs deps 3    prints the line's packages as name@version, one a line
import { readFileSync, writeFileSync } from 'node:fs';

/** Versions per line; exporter-prometheus pins sdk-metrics exactly, so these dedupe to one copy. */
export const LINES = {
  2: {
    node: '>=20.6',
    packages: {
      '@opentelemetry/api': '1.9.0',
      '@opentelemetry/sdk-metrics': '2.12.0',
      '@opentelemetry/resources': '2.12.0',
      '@opentelemetry/exporter-prometheus': '0.223.0',
      '@opentelemetry/exporter-metrics-otlp-http': '0.223.0',
      '@opentelemetry/exporter-metrics-otlp-proto': '0.223.0',
      '@opentelemetry/sdk-trace': '2.12.0',
      '@opentelemetry/context-async-hooks': '2.12.0',
      '@opentelemetry/exporter-trace-otlp-proto': '0.223.0',
      // Not OpenTelemetry, but tied to the leg's Node: ai 7 needs Node 22, so this leg tests the lowest ai the peer range takes.
      ai: '6.0.0',
    },
  },
  3: {
    node: '>=22.15',
    packages: {
      '@opentelemetry/api': '1.10.0',
      '@opentelemetry/sdk-metrics': '3.1.0',
      '@opentelemetry/resources': '3.1.0',
      '@opentelemetry/exporter-prometheus': '0.301.0',
      '@opentelemetry/exporter-metrics-otlp-http': '0.301.0',
      '@opentelemetry/exporter-metrics-otlp-proto': '0.301.0',
      '@opentelemetry/sdk-trace': '3.1.0',
      '@opentelemetry/context-async-hooks': '3.1.0',
      '@opentelemetry/exporter-trace-otlp-proto': '0.301.0',
      // The newest ai, on the Node 22 leg.
      ai: '7.0.185',
    },
  },
};

function line(name) {
  const found = LINES[name];
  if (found === undefined) throw new Error(`Unknown OpenTelemetry line ${JSON.stringify(name)}: use 2 or 3`);
  return found;
}

function use(name, manifestPath = 'package.json') {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  Object.assign(manifest.devDependencies, line(name).packages);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, name] = process.argv.slice(2);
  if (command === 'use') use(name);
  else if (command === 'deps') for (const [pkg, version] of Object.entries(line(name).packages)) console.log(`${pkg}@${version}`);
  else {
    console.error('usage: otel-lines.mjs use|deps 2|3');
    process.exit(2);
  }
}
