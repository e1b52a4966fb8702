import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { COMMANDS, loadCommands } from '../../src/cli/commands.js';
import { cli, expectExit, useWorkDirectory } from './cli.js';

const PACKAGE = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
};

describe('toolweaver-analytics --help', () => {
  const cwd = useWorkDirectory();

  it('lists every command and the global options, on stdout, with exit code 0', async () => {
    for (const run of await Promise.all(['--help', '-h'].map((flag) => cli([flag], { cwd: cwd() })))) {
      const { stdout, stderr } = expectExit(run, 0);
      assert.equal(stderr, '');
      assert.match(stdout, /^Usage: toolweaver-analytics <command> \[options\]/);
      for (const command of COMMANDS) assert.match(stdout, new RegExp(`^  ${command.name} +\\S`, 'm'), command.name);
      for (const option of ['--db PATH', '--json', '--verbose', '--no-color', '-h, --help', '--version'])
        assert.ok(stdout.includes(option), option);
      assert.match(stdout, /Exit codes: 0 success, 1 failure .*, 2 bad usage or configuration/);
    }
  });

  it('loads each listed command by its name', async () => {
    const commands = await loadCommands();
    assert.deepEqual(
      commands.map((command) => command.name),
      COMMANDS.map((entry) => entry.name),
    );
  });

  it('explains each command: usage, every option with its default, an example', async () => {
    const COMMANDS = await loadCommands();
    const runs = await Promise.all(COMMANDS.map((command) => cli([command.name, '--help'], { cwd: cwd() })));
    for (const [index, command] of COMMANDS.entries()) {
      const { stdout } = expectExit(runs[index]!, 0);
      assert.ok(stdout.startsWith(`Usage: toolweaver-analytics ${command.usage}\n`), stdout);
      for (const [name, spec] of Object.entries(command.options)) {
        const line = stdout.split('\n').find((text) => new RegExp(`^ {2}(-\\w, | {4})--${name}\\b`).test(text));
        assert.ok(line !== undefined, `${command.name} --${name}`);
        if (spec.default !== undefined) assert.ok(line.includes(`(default: ${spec.default})`), line);
      }
      assert.match(stdout, /^Examples?:\n {2}toolweaver-analytics \S/m, command.name);
    }
    assert.equal(
      expectExit(await cli(['help', 'trends'], { cwd: cwd() }), 0).stdout,
      runs[COMMANDS.findIndex((command) => command.name === 'trends')]!.stdout,
    );
  });

  it('prints the package version for --version', async () => {
    const { stdout } = expectExit(await cli(['--version'], { cwd: cwd() }), 0);
    assert.equal(stdout, `${PACKAGE.version}\n`);
    assert.equal(PACKAGE.bin['toolweaver-analytics'], './dist/src/cli/main.js');
  });

  it('shows the help on stderr and exits 2 when no command is given', async () => {
    const { stdout, stderr } = expectExit(await cli([], { cwd: cwd() }), 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^Usage: toolweaver-analytics <command>/);
  });
});
