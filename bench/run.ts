// `npm run bench`: every scenario in its own process, results as ratios against baselines measured
// in the same run, written to docs/performance.md with the machine and versions. `--quick` (CI)
// makes small data and few runs so the scenarios keep working; it asserts nothing about speed.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { formatRatio, formatTime } from './lib/format.js';
import { performanceDoc } from './lib/performanceDoc.js';
import type { ScenarioResult } from './lib/scenario.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
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
  const unit = result.unit ?? 'ms';
  console.log(`\n${result.scenario}`);
  for (const row of result.rows) {
    console.log(
      `  ${quick ? '' : verdict(row.met)}${row.name}: ${formatTime(row.subject.medianMs, unit)} ${unit} ` +
        `(min ${formatTime(row.subject.minMs, unit)}, max ${formatTime(row.subject.maxMs, unit)}); ` +
        `${formatRatio(row.ratio)} ${row.ratioMeaning}${quick ? '' : `; target ${row.target}`}`,
    );
  }
  for (const figure of result.figures ?? []) {
    console.log(
      `  ${quick ? '' : verdict(figure.met)}${figure.name}: ${figure.value}; ${formatRatio(figure.ratio)} ${figure.ratioMeaning}${quick ? '' : `; target ${figure.target}`}`,
    );
  }
}
if (quick) {
  console.log('\nquick mode: small data, few runs; speed targets are judged only by a full `npm run bench`');
} else if (only.length > 0) {
  console.log('\nsome scenarios only: docs/performance.md is written by a full run of every scenario');
} else {
  writeFileSync(join(root, 'docs', 'performance.md'), performanceDoc(results, root));
  console.error('bench: wrote docs/performance.md');
}

function verdict(met: boolean | undefined): string {
  if (met === undefined) return '     ';
  return met ? 'ok   ' : 'MISS ';
}
