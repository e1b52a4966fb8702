import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAIN, useWorkDirectory } from './cli.js';

const RECORDER = fileURLToPath(new URL('./importRecorder.js', import.meta.url));
/** What --version and the program's help must not wait for: the database driver, the exporters, the schemas. */
const HEAVY = /\/node_modules\/(better-sqlite3|@opentelemetry|zod|@grafana)\//;

/** The URLs of every module the CLI imports for `args`, recorded by importRecorder.ts. */
function importsOf(args: readonly string[], cwd: string): string[] {
  const log = join(cwd, 'imports.log');
  const run = spawnSync(process.execPath, ['--import', RECORDER, MAIN, ...args], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, TOOLWEAVER_IMPORT_LOG: log },
    encoding: 'utf8',
  });
  assert.ok(run.status !== null && run.status <= 2, `${args.join(' ')}: exit code ${run.status}\n${run.stderr}`);
  const urls = readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  assert.ok(
    urls.some((url) => url.endsWith('/src/cli/main.js')),
    'the recorder saw the CLI load',
  );
  return urls;
}

describe('toolweaver-analytics starts fast', () => {
  const cwd = useWorkDirectory();

  for (const args of [['--version'], ['-v'], ['--help'], ['help'], [], ['leaderbord']]) {
    it(`\`${['toolweaver-analytics', ...args].join(' ')}\` loads neither the database driver nor OpenTelemetry nor zod`, () => {
      const heavy = new Set(importsOf(args, cwd()).flatMap((url) => HEAVY.exec(url)?.[1] ?? []));
      assert.deepEqual([...heavy], []);
    });
  }

  it('a command still loads what it needs (the recorder sees better-sqlite3 for integrity)', () => {
    const urls = importsOf(['integrity', '--db', 'missing.db'], cwd());
    assert.ok(
      urls.some((url) => /\/node_modules\/better-sqlite3\//.test(url)),
      urls.join('\n'),
    );
  });
});
