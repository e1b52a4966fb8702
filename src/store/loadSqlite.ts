import Database from 'better-sqlite3';
import { SqliteAddonError } from '../core/errors.js';

/**
 * `new Database(path, options)`, whose failure to load better-sqlite3's native addon is a
 * {@link SqliteAddonError} that says how to build it. better-sqlite3 loads the addon at its first
 * `new Database`, and throws bindings' bare "Could not locate the bindings file" when the install
 * script that compiles it did not run (`npm install --ignore-scripts`, pnpm's default), or Node's
 * dlopen error when it was compiled for another Node.js.
 */
export function newDatabase(path: string, options?: Database.Options): Database.Database {
  try {
    return new Database(path, options);
  } catch (error) {
    throw addonError(error) ?? error;
  }
}

/** `error` as a {@link SqliteAddonError} when it is a failure to load the addon; otherwise undefined. */
export function addonError(error: unknown): SqliteAddonError | undefined {
  if (!(error instanceof Error)) return undefined;
  if (error.message.startsWith('Could not locate the bindings file')) return new SqliteAddonError('missing', undefined, { cause: error });
  if ((error as NodeJS.ErrnoException).code !== 'ERR_DLOPEN_FAILED') return undefined;
  const versions = /NODE_MODULE_VERSION (\d+)[\s\S]*?NODE_MODULE_VERSION (\d+)/.exec(error.message);
  if (versions !== null) {
    return new SqliteAddonError(
      'wrong-node',
      `it was compiled for NODE_MODULE_VERSION ${versions[1]}; Node.js ${process.version} needs NODE_MODULE_VERSION ${versions[2]}`,
      { cause: error },
    );
  }
  return new SqliteAddonError('unloadable', error.message.split('\n')[0], { cause: error });
}
