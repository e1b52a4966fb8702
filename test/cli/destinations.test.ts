import assert from 'node:assert/strict';
import { linkSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeDatabase } from '../sqlite-exporter/helpers/damage.js';
import { assertUntouched, startLiveApplication, type LiveApplication } from '../sqlite-exporter/helpers/liveApplication.js';
import { charDevice, kindOf, makeFifo } from '../sqlite-exporter/helpers/specialFiles.js';
import { cli, expectExit, useWorkDirectory } from './cli.js';

const IS_THE_DATABASE = 'is the database itself, or one of its -wal, -shm or -journal files';
const EXPORT = ['export', '--table', 'skill_usage'];

describe('toolweaver-analytics never writes over the live database', function () {
  this.timeout(30_000);
  const cwd = useWorkDirectory();
  let live: LiveApplication;
  let home: string;
  /** A symbolic link to the live database's directory. */
  let linked: string;

  beforeEach(async () => {
    home = join(cwd(), 'live');
    mkdirSync(home);
    linked = join(cwd(), 'linked');
    symlinkSync(home, linked);
    live = await startLiveApplication(join(home, 'analytics.db'));
  });
  afterEach(() => live.stop());

  /** Runs the CLI on the live database, expects exit code 1, and returns what it printed on stderr. */
  async function refused(args: readonly string[]): Promise<string> {
    const run = expectExit(await cli([...args, '--db', live.path], { cwd: cwd() }), 1);
    assert.equal(run.stdout, '');
    return run.stderr;
  }

  for (const command of [EXPORT, ['backup'], ['report']]) {
    it(`${command[0]} --out <the database through a symlinked directory> --force refuses, and the application goes on writing into it`, async () => {
      const before = live.state();
      for (const name of ['analytics.db', 'analytics.db-wal', 'analytics.db-shm', 'analytics.db-journal']) {
        const out = join(linked, name);
        const stderr = await refused([...command, '--out', out, '--force']);
        assert.equal(
          stderr,
          `toolweaver-analytics: The file ${out} ${IS_THE_DATABASE} (the same file as ${join(home, name)}): choose a path outside the database; nothing was written\n`,
        );
      }
      assert.deepEqual(readdirSync(home).sort(), ['analytics.db', 'analytics.db-shm', 'analytics.db-wal']);
      await assertUntouched(live, before);
    });

    it(`${command[0]} --out <a hard link or a symbolic link to the database> --force refuses`, async () => {
      const before = live.state();
      linkSync(live.path, join(cwd(), 'hard.db'));
      symlinkSync(live.path, join(cwd(), 'soft.db'));
      for (const out of ['hard.db', 'soft.db']) {
        assert.match(
          await refused([...command, '--out', out, '--force']),
          new RegExp(`${IS_THE_DATABASE} \\(the same file as ${live.path}\\)`),
        );
      }
      assert.deepEqual([kindOf(join(cwd(), 'hard.db')), kindOf(join(cwd(), 'soft.db'))], ['file', 'symlink']);
      await assertUntouched(live, before);
    });
  }

  it('restore refuses a backup that is the database through a symlinked directory', async () => {
    const before = live.state();
    const stderr = await refused(['restore', '--from', join(linked, 'analytics.db'), '--force']);
    assert.match(
      stderr,
      new RegExp(`${IS_THE_DATABASE} \\(the same file as ${live.path}, the restore target\\): choose another backup file`),
    );
    await assertUntouched(live, before);
  });

  it('grafana export refuses the database file, and a link to its directory, as DIR, even with --force', async () => {
    const before = live.state();
    assert.match(
      await refused(['grafana', 'export', '--out', live.path, '--force']),
      new RegExp(`The file ${live.path} ${IS_THE_DATABASE}`),
    );
    assert.match(
      await refused(['grafana', 'export', '--out', linked, '--force']),
      /is a symbolic link \(to .*\): name what it leads to, or a new path: a link is never replaced or written through, not even with --force/,
    );
    assert.deepEqual(readdirSync(home).sort(), ['analytics.db', 'analytics.db-shm', 'analytics.db-wal']);
    await assertUntouched(live, before);
  });
});

describe('toolweaver-analytics writes only regular files where a file is named', function () {
  this.timeout(30_000);
  const cwd = useWorkDirectory();
  let database: string;

  beforeEach(() => {
    database = join(cwd(), 'analytics.db');
    makeDatabase(database, 3);
  });

  /** Each destination that --force must not replace, and what the message says it is. */
  const specials: { name: string; make(directory: string): string; says: RegExp }[] = [
    {
      name: 'a FIFO',
      make: (directory) => makeFifo(join(directory, 'pipe')),
      says: /is not a regular file \(a FIFO\): choose the path of a regular file/,
    },
    { name: 'a character device', make: charDevice, says: /is not a regular file \(a character device\)/ },
    {
      name: 'a directory',
      make: (directory) => {
        mkdirSync(join(directory, 'dir'));
        return join(directory, 'dir');
      },
      says: /is not a regular file \(a directory\)/,
    },
    {
      name: 'a symbolic link to a file',
      make: (directory) => {
        writeFileSync(join(directory, 'real.csv'), 'precious');
        symlinkSync('real.csv', join(directory, 'link'));
        return join(directory, 'link');
      },
      says: /is a symbolic link \(to real\.csv\): name what it leads to, or a new path: a link is never replaced or written through, not even with --force$/m,
    },
    {
      name: 'a dangling symbolic link',
      make: (directory) => {
        symlinkSync('nowhere', join(directory, 'dangling'));
        return join(directory, 'dangling');
      },
      says: /is a symbolic link \(to nowhere, which does not exist\)/,
    },
  ];

  for (const command of [EXPORT, ['backup'], ['report']]) {
    for (const { name, make, says } of specials) {
      it(`${command[0]} --out <${name}> --force refuses with exit code 1, leaving it as it was`, async () => {
        const out = make(cwd());
        const kind = kindOf(out);
        const run = expectExit(await cli([...command, '--out', out, '--force', '--db', database], { cwd: cwd() }), 1);
        assert.match(run.stderr, new RegExp(`^toolweaver-analytics: The file ${out} `));
        assert.match(run.stderr, says);
        assert.equal(kindOf(out), kind);
        assert.ok(!readdirSync(cwd()).some((entry) => entry.includes('.partial-')), 'no partial file is left behind');
      });
    }

    it(`${command[0]} names --force when the file exists, and refuses a directory that does not exist`, async () => {
      writeFileSync(join(cwd(), 'taken'), 'keep me');
      const exists = expectExit(await cli([...command, '--out', 'taken', '--db', database], { cwd: cwd() }), 1);
      assert.equal(
        exists.stderr,
        `toolweaver-analytics: The file ${join(cwd(), 'taken')} already exists: choose a new file name, or allow replacing it (--force)\n`,
      );
      assert.equal(readFileSync(join(cwd(), 'taken'), 'utf8'), 'keep me');
      const missing = expectExit(await cli([...command, '--out', 'nowhere/out', '--db', database], { cwd: cwd() }), 1);
      assert.match(
        missing.stderr,
        /is in a directory that does not exist \(.*nowhere\): create the directory first, or choose another path/,
      );
      assert.equal(kindOf(join(cwd(), 'nowhere')), 'missing');
    });
  }

  it('restore refuses a FIFO or a device as the backup', async () => {
    for (const special of [makeFifo(join(cwd(), 'pipe')), charDevice(cwd())]) {
      const run = expectExit(await cli(['restore', '--from', special, '--db', database], { cwd: cwd() }), 1);
      assert.match(run.stderr, /is not a regular file \(a (FIFO|character device)\): choose another backup file; nothing was restored/);
    }
  });

  it('grafana export refuses a regular file, a FIFO and a device as DIR, even with --force', async () => {
    writeFileSync(join(cwd(), 'notes.txt'), 'mine');
    for (const out of [join(cwd(), 'notes.txt'), makeFifo(join(cwd(), 'pipe')), charDevice(cwd())]) {
      const run = expectExit(await cli(['grafana', 'export', '--out', out, '--force', '--db', database], { cwd: cwd() }), 1);
      assert.match(run.stderr, new RegExp(`^toolweaver-analytics: The file ${out} is not a directory \\(a .+\\): choose a directory`));
    }
    assert.equal(readFileSync(join(cwd(), 'notes.txt'), 'utf8'), 'mine');
  });
});
