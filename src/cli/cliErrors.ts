import { AnalyticsError, ConfigError, DatabaseFileError, GrafanaExportError } from '../core/errors.js';
import { isDamaged, sqliteCode } from '../core/sqliteCode.js';

/** The process exit codes of the CLI. */
export const EXIT = Object.freeze({
  /** The command did what was asked. */
  ok: 0,
  /** It could not: a damaged or missing database, a backend that is down, a failed copy. */
  failure: 1,
  /** It was asked wrongly: unknown command or option, a missing or invalid value, invalid configuration. */
  usage: 2,
});

/** An error whose message is already what the user should read, with the exit code it ends the process with. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad usage: the message says what was wrong and where the help is. Exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

/** The command could not do its work. Exit code 1. */
export class CliFailure extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.failure, options);
  }
}

/** What the CLI prints for an error (one line, without the program name) and the exit code it ends with. */
export interface ErrorReport {
  readonly message: string;
  readonly exitCode: number;
}

/** Turns any error into one line that says what was wrong and what to do, and an exit code. */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof CliError) return { message: oneLine(error.message), exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: configMessage(error), exitCode: EXIT.usage };
  if (error instanceof DatabaseFileError && (error.reason === 'missing' || error.reason === 'empty')) {
    return { message: missingDatabase(error.path, error.reason), exitCode: EXIT.failure };
  }
  if (error instanceof AnalyticsError) return { message: oneLine(error.message), exitCode: EXIT.failure };
  if (isDamaged(error)) {
    const detail = `${sqliteCode(error)}: ${(error as Error).message}`;
    return {
      message: `the database is damaged (${detail}): run \`toolweaver-analytics integrity\`, then restore a backup`,
      exitCode: EXIT.failure,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message: oneLine(message), exitCode: EXIT.failure };
}

/** The advice for a database that is not there yet. */
export function missingDatabase(path: string, reason: 'missing' | 'empty' = 'missing'): string {
  const what = reason === 'missing' ? `no database at ${path}` : `${path} has no toolweaver-analytics tables yet`;
  return `${what}: run your application once with the sqlite backend (or try \`toolweaver-analytics demo\`), or pass --db PATH`;
}

function configMessage(error: ConfigError): string {
  const problems = error.problems.map((problem) => `${problem.source}=${problem.value}: ${problem.expected}`);
  return oneLine(`invalid configuration: ${problems.join('; ')} (every variable is described in docs/configuration.md)`);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** How the library's messages name the option that allows replacing: `({ overwrite: true })`, `--force ({ force: true })`. */
const LIBRARY_OPTION = / ?\(?\{ (?:overwrite|force): true \}\)?/;

/**
 * `error` with the library's option for replacing a file named as the CLI's `flag` instead: the
 * library's messages say `{ overwrite: true }`, which means nothing on a command line.
 */
export function namingFlag(error: unknown, flag: string): unknown {
  if (error instanceof DatabaseFileError && LIBRARY_OPTION.test(error.message)) {
    return new DatabaseFileError(error.path, error.reason, error.detail, { allow: flag, cause: error });
  }
  if (error instanceof GrafanaExportError) {
    return new CliFailure(error.message.replace(LIBRARY_OPTION, '').replace(/pass --force\b/, `pass ${flag}`), { cause: error });
  }
  return error;
}
