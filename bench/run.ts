// `npm run bench`: every scenario in its own process, results as ratios against baselines measured
// in the same run, written to docs/performance.md with the machine and versions. `--quick` (CI)
// makes small data and few runs so the scenarios keep working; it asserts nothing about speed.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { ScenarioResult } from './lib/scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const scenarios = readdirSync(here)
  .filter((file) => file.endsWith('.bench.js'))
  .filter((file) => only.length === 0 || only.some((name) => file.startsWith(name)))
  .sort();

const results: ScenarioResult[] = [];
for (const file of scenarios) {
  console.error(`bench: ${file}${quick ? ' (quick)' : ''}`);
  const output = execFileSync(process.execPath, ['--expose-gc', join(here, file), ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  results.push(JSON.parse(output.trim().split('\n').at(-1) as string) as ScenarioResult);
}

for (const result of results) {
  console.log(`\n${result.scenario}`);
  for (const row of result.rows) {
    console.log(
      `  ${quick ? '' : row.met ? 'ok   ' : 'MISS '}${row.name}: ${row.subject.medianMs.toFixed(2)} ms (min ${row.subject.minMs.toFixed(2)}, max ${row.subject.maxMs.toFixed(2)}); ` +
        `${row.ratio.toFixed(2)} ${row.ratioMeaning}${quick ? '' : `; target ${row.target}`}`,
    );
  }
}
if (quick) console.log('\nquick mode: small data, few runs; speed targets are judged only by a full `npm run bench`');
else writePerformanceDoc(results);

function writePerformanceDoc(all: ScenarioResult[]): void {
  const manifest = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string>; dependencies: Record<string, string> };
  const lines = [
    '# Performance',
    '',
    'Written by `npm run bench` (do not edit by hand). Every figure is a ratio against a baseline measured in the',
    'same run, on the same data: absolute times on a shared machine move by half between runs; the ratios hold.',
    'Each scenario runs in its own process after warm-up; times are medians with min and max.',
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; ` +
      `toolweaver-analytics ${manifest.version}; better-sqlite3 ${manifest.dependencies['better-sqlite3']}; ` +
      `@opentelemetry/sdk-metrics ${manifest.devDependencies['@opentelemetry/sdk-metrics']}; run ${new Date().toISOString().slice(0, 16)} UTC.`,
    '',
  ];
  for (const result of all) {
    lines.push(`## ${result.scenario}`, '', Object.entries(result.setup).map(([key, value]) => `${key}: ${value}`).join('; ') + '.', '');
    lines.push('| measured | median ms (min-max) | baseline | baseline median ms | ratio | target | met |', '| --- | --- | --- | --- | --- | --- | --- |');
    for (const row of result.rows) {
      lines.push(
        `| ${row.name} | ${row.subject.medianMs.toFixed(2)} (${row.subject.minMs.toFixed(2)}-${row.subject.maxMs.toFixed(2)}) | ${row.baselineName} | ` +
          `${row.baseline.medianMs.toFixed(2)} | ${row.ratio.toFixed(1)} ${row.ratioMeaning} | ${row.target} | ${row.met ? 'yes' : '**no**'} |`,
      );
    }
    lines.push('', ...(result.notes ?? []).flatMap((note) => [note, '']));
  }
  writeFileSync(join(here, '..', '..', 'docs', 'performance.md'), `${lines.join('\n')}\n`);
  console.error('bench: wrote docs/performance.md');
}
