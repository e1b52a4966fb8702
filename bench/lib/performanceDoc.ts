import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { formatMet, formatRatio, formatTiming, formatTime } from './format.js';
import type { ScenarioResult } from './scenario.js';

/** Packages whose installed versions the figures depend on. */
const MEASURED_PACKAGES = ['better-sqlite3', '@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus', 'prom-client'];

/** docs/performance.md for the results of a full run: the machine and versions, then a table per scenario. */
export function performanceDoc(all: readonly ScenarioResult[], root: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const versions = MEASURED_PACKAGES.map((name) => `${name} ${installedVersion(root, name)}`).join('; ');
  const lines = [
    '# Performance',
    '',
    'Written by `npm run bench` (do not edit by hand). Every figure is a ratio against a baseline measured in the',
    'same run, on the same data: absolute times on a shared machine move by half between runs; the ratios hold.',
    'Each scenario runs in its own process after warm-up; times are medians with min and max.',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ` +
      `toolweaver-analytics ${manifest.version}; ${versions}; run ${new Date().toISOString().slice(0, 16)} UTC.`,
    '',
  ];
  for (const result of all) lines.push(...scenarioSection(result));
  return `${lines.join('\n')}\n`;
}

function scenarioSection(result: ScenarioResult): string[] {
  const unit = result.unit ?? 'ms';
  const lines = [
    `## ${result.scenario}`,
    '',
    `${Object.entries(result.setup)
      .map(([key, value]) => `${key}: ${value}`)
      .join('; ')}.`,
    '',
  ];
  if (result.rows.length > 0) {
    lines.push(
      `| measured | median ${unit} (min-max) | baseline | baseline median ${unit} | ratio | target | met |`,
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const row of result.rows) {
      lines.push(
        `| ${row.name} | ${formatTiming(row.subject, unit)} | ${row.baselineName} | ${formatTime(row.baseline.medianMs, unit)} | ` +
          `${formatRatio(row.ratio)} ${row.ratioMeaning} | ${row.target} | ${formatMet(row.met)} |`,
      );
    }
    lines.push('');
  }
  if ((result.figures ?? []).length > 0) {
    lines.push('| measured | value | baseline | baseline value | ratio | target | met |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const figure of result.figures ?? []) {
      lines.push(
        `| ${figure.name} | ${figure.value} | ${figure.baselineName} | ${figure.baseline} | ${formatRatio(figure.ratio)} ${figure.ratioMeaning} | ${figure.target} | ${formatMet(figure.met)} |`,
      );
    }
    lines.push('');
  }
  lines.push(...(result.notes ?? []).flatMap((note) => [note, '']));
  return lines;
}

function installedVersion(root: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}
