import assert from 'node:assert/strict';
import { linkSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseFileError } from '../../src/core/errors.js';
import { exportGrafanaProvisioning } from '../../src/grafana/exportProvisioning.js';
import { backupDatabase, restoreDatabase } from '../../src/maintenance/backup.js';
import { makeDatabase } from '../sqlite-exporter/helpers/damage.js';
import { assertUntouched, startLiveApplication, type LiveApplication } from '../sqlite-exporter/helpers/liveApplication.js';
import { charDevice, kindOf, makeFifo } from '../sqlite-exporter/helpers/specialFiles.js';
import { useTempDirectory } from '../sqlite-exporter/helpers/tempDirectory.js';

const NOTHING_WRITTEN = 'choose a path outside the database; nothing was written';
const BAD_BACKUP = 'choose another backup file; nothing was restored and the target was not changed';
const GRAFANA = { env: { ANALYTICS_DB_PATH: '/srv/agent/analytics.db' } };

/** Runs `work`, expects a DatabaseFileError, and returns it. */
async function refusal(work: () => Promise<unknown>): Promise<DatabaseFileError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof DatabaseFileError) return error;
    throw error;
  }
  assert.fail('expected a DatabaseFileError, and the work was done');
}

describe('destinations that lead to the live database', function () {
  this.timeout(30_000);
  const tmp = useTempDirectory();
  let live: LiveApplication;
  /** The live database's directory, and a symbolic link to it. */
  let home: string;
  let linked: string;

  beforeEach(async () => {
    home = join(tmp(), 'live');
    mkdirSync(home);
    linked = join(tmp(), 'linked');
    symlinkSync(home, linked);
    live = await startLiveApplication(join(home, 'analytics.db'));
  });
  afterEach(() => live.stop());

  it('backupDatabase refuses the database reached through a symlinked directory, even with overwrite, and the application goes on writing into it', async () => {
    const before = live.state();
    const destination = join(linked, 'analytics.db');
    const error = await refusal(() => backupDatabase(live.path, destination, { overwrite: true }));
    assert.equal(error.reason, 'same-file');
    assert.equal(error.path, destination);
    assert.equal(
      error.message,
      `The file ${destination} is the database itself, or one of its -wal, -shm or -journal files (the same file as ${live.path}): ${NOTHING_WRITTEN}`,
    );
    await assertUntouched(live, before);
  });

  for (const suffix of ['-wal', '-shm', '-journal']) {
    it(`backupDatabase refuses the database's ${suffix} through a symlinked directory, whether it exists or not`, async () => {
      const before = live.state();
      const error = await refusal(() => backupDatabase(live.path, join(linked, `analytics.db${suffix}`), { overwrite: true }));
      assert.equal(error.reason, 'same-file');
      assert.equal(error.detail, `the same file as ${live.path}${suffix}`);
      await assertUntouched(live, before);
    });
  }

  it('backupDatabase refuses the database reached through `..` after a symbolic link, where the text of the path leads elsewhere', async () => {
    const before = live.state();
    mkdirSync(join(tmp(), 'deep'));
    symlinkSync(home, join(tmp(), 'deep', 'linked'));
    // As text, deep/linked/../live is deep/live, which does not exist; the file system goes up from live, to the database.
    for (const name of ['analytics.db', 'analytics.db-journal']) {
      const destination = `${tmp()}/deep/linked/../live/${name}`;
      const error = await refusal(() => backupDatabase(live.path, destination, { overwrite: true }));
      assert.deepEqual([error.reason, error.detail], ['same-file', `the same file as ${join(home, name)}`]);
    }
    await assertUntouched(live, before);
  });

  it('backupDatabase refuses a hard link to the database, and a symbolic link to it', async () => {
    const before = live.state();
    const hard = join(tmp(), 'hard.db');
    linkSync(live.path, hard);
    const soft = join(tmp(), 'soft.db');
    symlinkSync(live.path, soft);
    for (const destination of [hard, soft]) {
      const error = await refusal(() => backupDatabase(live.path, destination, { overwrite: true }));
      assert.deepEqual([error.reason, error.detail], ['same-file', `the same file as ${live.path}`], destination);
    }
    assert.deepEqual([kindOf(hard), kindOf(soft)], ['file', 'symlink']);
    await assertUntouched(live, before);
  });

  it('restoreDatabase refuses a backup that is the target reached by another path, leaving the target as it was', async () => {
    const before = live.state();
    const hard = join(tmp(), 'hard.db');
    linkSync(live.path, hard);
    for (const backup of [join(linked, 'analytics.db'), hard]) {
      const error = await refusal(() => restoreDatabase(backup, live.path, { force: true }));
      assert.equal(error.reason, 'same-file');
      assert.equal(
        error.message,
        `The file ${backup} is the database itself, or one of its -wal, -shm or -journal files (the same file as ${live.path}, the restore target): ${BAD_BACKUP}`,
      );
    }
    assert.deepEqual(
      readdirSync(home).filter((name) => name.includes('before-restore')),
      [],
    );
    await assertUntouched(live, before);
  });

  it('exportGrafanaProvisioning refuses the database file, and a link to its directory, as the directory to write, even with force', async () => {
    const before = live.state();
    const asFile = await refusal(() => exportGrafanaProvisioning(live.path, { ...GRAFANA, databasePath: live.path, force: true }));
    assert.equal(asFile.reason, 'same-file');
    const asLink = await refusal(() => exportGrafanaProvisioning(linked, { ...GRAFANA, databasePath: live.path, force: true }));
    assert.equal(asLink.reason, 'symlink');
    assert.equal(
      asLink.message,
      `The file ${linked} is a symbolic link (to ${home}): name what it leads to, or a new path: a link is never replaced or written through, not even with --force ({ force: true })`,
    );
    assert.deepEqual(readdirSync(home).sort(), ['analytics.db', 'analytics.db-shm', 'analytics.db-wal']);
    await assertUntouched(live, before);
  });

  it("exportGrafanaProvisioning writes into the database's own directory only with force, beside the database and never over it", async () => {
    const before = live.state();
    await assert.rejects(exportGrafanaProvisioning(home, { ...GRAFANA, databasePath: live.path }), { name: 'GrafanaExportError' });
    await exportGrafanaProvisioning(home, { ...GRAFANA, databasePath: live.path, force: true });
    assert.deepEqual(readdirSync(home).sort(), ['analytics.db', 'analytics.db-shm', 'analytics.db-wal', 'dashboards', 'provisioning']);
    await assertUntouched(live, before);
  });

  it('exportGrafanaProvisioning refuses a previous export whose dashboard file is a link to the database', async () => {
    const before = live.state();
    const out = join(tmp(), 'grafana');
    await exportGrafanaProvisioning(out, GRAFANA);
    const dashboard = join(out, 'dashboards', readdirSync(join(out, 'dashboards'))[0]!);
    for (const link of [(from: string) => symlinkSync(live.path, from), (from: string) => linkSync(live.path, from)]) {
      rmSync(dashboard);
      link(dashboard);
      const error = await refusal(() => exportGrafanaProvisioning(out, { ...GRAFANA, databasePath: live.path, force: true }));
      assert.deepEqual([error.reason, error.path], ['same-file', dashboard]);
    }
    await assertUntouched(live, before);
  });
});

describe('destinations that are not regular files', function () {
  this.timeout(30_000);
  const tmp = useTempDirectory();
  let source: string;

  beforeEach(() => {
    source = join(tmp(), 'analytics.db');
    makeDatabase(source, 3);
  });

  /** Each kind of destination that must be refused even with overwrite, with what is said about it. */
  const refused: { name: string; make(directory: string): string; reason: string; detail: (path: string) => string }[] = [
    { name: 'a FIFO', make: (directory) => makeFifo(join(directory, 'pipe')), reason: 'not-a-file', detail: () => 'a FIFO' },
    { name: 'a character device', make: charDevice, reason: 'not-a-file', detail: () => 'a character device' },
    {
      name: 'a directory',
      make: (directory) => {
        mkdirSync(join(directory, 'dir'));
        return join(directory, 'dir');
      },
      reason: 'not-a-file',
      detail: () => 'a directory',
    },
    {
      name: 'a symbolic link to a regular file',
      make: (directory) => {
        writeFileSync(join(directory, 'real.db'), 'precious');
        symlinkSync('real.db', join(directory, 'link.db'));
        return join(directory, 'link.db');
      },
      reason: 'symlink',
      detail: () => 'to real.db',
    },
    {
      name: 'a dangling symbolic link',
      make: (directory) => {
        symlinkSync('nowhere.db', join(directory, 'dangling.db'));
        return join(directory, 'dangling.db');
      },
      reason: 'symlink',
      detail: () => 'to nowhere.db, which does not exist',
    },
  ];

  for (const { name, make, reason, detail } of refused) {
    it(`backupDatabase refuses ${name}, even with overwrite, and leaves it as it was`, async () => {
      const destination = make(tmp());
      const kind = kindOf(destination);
      const error = await refusal(() => backupDatabase(source, destination, { overwrite: true }));
      assert.deepEqual([error.reason, error.path, error.detail], [reason, destination, detail(destination)]);
      assert.equal(kindOf(destination), kind);
    });
  }

  it('says that a symbolic link is refused even when replacing is allowed, and leaves the file it leads to alone', async () => {
    writeFileSync(join(tmp(), 'real.db'), 'precious');
    symlinkSync('real.db', join(tmp(), 'link.db'));
    const error = await refusal(() => backupDatabase(source, join(tmp(), 'link.db'), { overwrite: true }));
    assert.equal(
      error.message,
      `The file ${join(tmp(), 'link.db')} is a symbolic link (to real.db): name what it leads to, or a new path: a link is never replaced or written through, not even with { overwrite: true }`,
    );
    assert.equal(readFileSync(join(tmp(), 'real.db'), 'utf8'), 'precious');
  });

  it('says what a device is, and that only a regular file is ever replaced', async () => {
    const fifo = makeFifo(join(tmp(), 'pipe'));
    const error = await refusal(() => backupDatabase(source, fifo, { overwrite: true }));
    assert.equal(
      error.message,
      `The file ${fifo} is not a regular file (a FIFO): choose the path of a regular file, or of a new one: only a regular file is ever replaced, and this was left as it was`,
    );
  });

  it('backupDatabase refuses a destination whose -wal, which a copy replaces, is the database', async () => {
    // A database named like a companion file: replacing copy.db removes copy.db-wal, the source itself.
    const odd = join(tmp(), 'copy.db-wal');
    makeDatabase(odd, 3);
    writeFileSync(join(tmp(), 'copy.db'), 'an older copy');
    const error = await refusal(() => backupDatabase(odd, join(tmp(), 'copy.db'), { overwrite: true }));
    assert.deepEqual([error.reason, error.path, error.detail], ['same-file', `${join(tmp(), 'copy.db')}-wal`, `the same file as ${odd}`]);
    assert.equal(readFileSync(join(tmp(), 'copy.db'), 'utf8'), 'an older copy');
    assert.equal(kindOf(odd), 'file');
  });

  it('backupDatabase refuses a destination in a directory that does not exist, and makes none', async () => {
    const destination = join(tmp(), 'missing', 'copy.db');
    const error = await refusal(() => backupDatabase(source, destination));
    assert.equal(error.reason, 'no-directory');
    assert.equal(
      error.message,
      `The file ${destination} is in a directory that does not exist (${join(tmp(), 'missing')}): create the directory first, or choose another path`,
    );
    assert.equal(kindOf(join(tmp(), 'missing')), 'missing');
  });

  it('restoreDatabase refuses a FIFO or a device as the backup, and as the target', async () => {
    const target = join(tmp(), 'target.db');
    makeDatabase(target, 5);
    for (const special of [makeFifo(join(tmp(), 'pipe')), charDevice(tmp())]) {
      const asBackup = await refusal(() => restoreDatabase(special, target));
      assert.deepEqual([asBackup.reason, asBackup.path], ['not-a-file', special]);
      assert.match(asBackup.message, new RegExp(`: ${BAD_BACKUP}$`));
      const asTarget = await refusal(() => restoreDatabase(source, special));
      assert.deepEqual([asTarget.reason, asTarget.path], ['not-a-file', special]);
    }
    assert.deepEqual(
      readdirSync(tmp()).filter((name) => name.includes('before-restore')),
      [],
    );
  });

  it('restoreDatabase refuses a dangling symbolic link as the target, and makes no file where it leads', async () => {
    symlinkSync('nowhere.db', join(tmp(), 'dangling.db'));
    const error = await refusal(() => restoreDatabase(source, join(tmp(), 'dangling.db')));
    assert.deepEqual([error.reason, error.detail], ['symlink', 'to nowhere.db, which does not exist']);
    assert.equal(kindOf(join(tmp(), 'nowhere.db')), 'missing');
  });

  it('exportGrafanaProvisioning refuses a regular file, a FIFO and a device as its directory, even with force', async () => {
    writeFileSync(join(tmp(), 'notes.txt'), 'mine');
    const cases = [
      [join(tmp(), 'notes.txt'), 'a regular file'],
      [makeFifo(join(tmp(), 'pipe')), 'a FIFO'],
      [charDevice(tmp()), 'a character device'],
    ] as const;
    for (const [path, what] of cases) {
      const error = await refusal(() => exportGrafanaProvisioning(path, { ...GRAFANA, force: true }));
      assert.deepEqual([error.reason, error.detail], ['not-a-directory', what], path);
    }
    assert.equal(readFileSync(join(tmp(), 'notes.txt'), 'utf8'), 'mine');
  });
});
