import { loadConfigFor, type ConfigUse } from '../config/loadConfig.js';
import { ConfigError } from '../core/errors.js';
import { MEMORY, resolveSqlitePath } from '../config/sqlitePath.js';
import type { AnalyticsConfig } from '../config/types.js';
import { variablesFor } from '../config/variables.js';
import { colourWanted, painter, type Painter } from './output/colour.js';
import { UsageError } from './cliErrors.js';
import { verboseWanted, type GlobalValues } from './globalOptions.js';
import { progressBar, type Progress } from './output/progress.js';
import { SecretScrubber } from './output/scrubber.js';

/** A stream the CLI writes to. */
export interface OutputStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Where the CLI runs: its streams, environment (with `.env` merged in) and working directory. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/**
 * Where the database path came from: `--db`, a variable of the real environment or of `.env`, or the
 * default. `withoutDotEnv` is, for a path from `.env`, the file an application that does not load
 * `.env` itself uses instead (when it can be told).
 */
export type DatabaseOrigin =
  | { readonly from: 'option'; readonly name: '--db' }
  | { readonly from: 'environment'; readonly name: string }
  | { readonly from: '.env'; readonly name: string; readonly withoutDotEnv?: string }
  | { readonly from: 'default'; readonly name: null };

/** Which variables of the CLI's environment only `.env` set. */
export interface DotEnvInfo {
  /** The real environment, without `.env`. */
  readonly realEnv: Readonly<Record<string, string | undefined>>;
  /** The names `.env` set that the real environment does not. */
  readonly names: ReadonlySet<string>;
}

const NO_DOT_ENV: DotEnvInfo = Object.freeze({ realEnv: {}, names: new Set<string>() });

/**
 * What a command works with: the output (tables or JSON, colour, progress, debug lines, every
 * credential scrubbed), the configuration, loaded on first use, and the database path.
 */
export class CliContext {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly painter: Painter;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly #io: CliIo;
  readonly #dbOption: string | undefined;
  readonly #queryUrlOption: string | undefined;
  readonly #scrubber: SecretScrubber;
  readonly #dotEnv: DotEnvInfo;
  readonly #configs = new Map<ConfigUse, AnalyticsConfig>();
  #databasePath: string | undefined;

  constructor(io: CliIo, globals: GlobalValues, dotEnv: DotEnvInfo = NO_DOT_ENV) {
    this.#io = io;
    this.#dotEnv = dotEnv;
    this.env = io.env;
    this.cwd = io.cwd;
    this.json = globals.json;
    this.verbose = verboseWanted(globals.verbose, io.env);
    this.painter = painter(!globals.json && colourWanted(io.stdout, io.env, globals.noColor));
    this.#dbOption = globals.db;
    this.#queryUrlOption = globals.queryUrl;
    this.#scrubber = new SecretScrubber(io.env);
  }

  /**
   * The configuration from the environment, `.env` and `--query-url`, loaded once for each use. A
   * grafana command passes what it uses the Grafana settings for, so they are checked even while
   * GRAFANA_ENABLED is off; a report command `reports`, so the query settings are checked when a
   * query URL is set.
   * @throws {ConfigError} naming `--query-url` for a bad value of that option.
   */
  config(use: ConfigUse = 'startup'): AnalyticsConfig {
    const loaded = this.#configs.get(use);
    if (loaded !== undefined) return loaded;
    const options = this.#queryUrlOption === undefined ? {} : { query: { url: this.#queryUrlOption } };
    let config: AnalyticsConfig;
    try {
      config = loadConfigFor(use, { ...this.env }, options);
    } catch (error) {
      throw error instanceof ConfigError ? namingQueryUrlOption(error) : error;
    }
    this.#configs.set(use, config);
    this.#scrubber.addConfig(config);
    this.debug(`configuration loaded (${use}): backends ${config.backends.length === 0 ? 'none' : config.backends.join(', ')}`);
    return config;
  }

  /**
   * What sends the reports to a query API, without checking its value: `--query-url`, or the
   * variable that sets one; undefined when the reports read the database.
   */
  queryUrlOrigin(): string | undefined {
    if (this.#queryUrlOption !== undefined) return '--query-url';
    return variablesFor('query.url').find((candidate) => (this.env[candidate] ?? '').trim() !== '');
  }

  /**
   * The database file: `--db`, else the configuration's sqlite.path. Never ':memory:', which only lives inside one process.
   * When `.env` named it, says so on stderr (unless `announce` is false, as for `status`, which shows it itself): an
   * application reads `.env` only if it loads it, so it may well write another file.
   */
  databasePath(options: { announce?: boolean } = {}): string {
    if (this.#databasePath !== undefined) return this.#databasePath;
    const path = this.#dbOption === undefined ? this.config().sqlite.path : resolveSqlitePath(this.#dbOption, this.env['HOME']);
    if (path === MEMORY) {
      throw new UsageError(
        "the database is ':memory:', which lives only inside the process that made it: pass --db PATH, or set ANALYTICS_DB_PATH to a file",
      );
    }
    this.debug(`database ${path}${this.#dbOption === undefined ? ' (from the configuration)' : ' (from --db)'}`);
    const variable = this.#pathVariable();
    if (variable?.fromDotEnv === true && options.announce !== false) {
      const loadIt = 'an application reads .env only if it loads it, e.g. node --env-file=.env';
      this.note(`toolweaver-analytics: database ${path} (${variable.name} from .env; ${loadIt})`);
    }
    this.#databasePath = path;
    return path;
  }

  /** Where {@link databasePath} came from. */
  databaseOrigin(): DatabaseOrigin {
    if (this.#dbOption !== undefined) return { from: 'option', name: '--db' };
    const variable = this.#pathVariable();
    if (variable === undefined) return { from: 'default', name: null };
    const { name } = variable;
    if (!variable.fromDotEnv) return { from: 'environment', name };
    const withoutDotEnv = this.#pathWithoutDotEnv();
    return withoutDotEnv === undefined ? { from: '.env', name } : { from: '.env', name, withoutDotEnv };
  }

  /** The variable that names the database, and whether only `.env` set it; undefined with --db or none set. */
  #pathVariable(): { readonly name: string; readonly fromDotEnv: boolean } | undefined {
    if (this.#dbOption !== undefined) return undefined;
    const name = variablesFor('sqlite.path').find((candidate) => (this.env[candidate] ?? '').trim() !== '');
    return name === undefined ? undefined : { name, fromDotEnv: this.#dotEnv.names.has(name) };
  }

  /** The database an application that does not load `.env` would use; undefined when its configuration is invalid. */
  #pathWithoutDotEnv(): string | undefined {
    try {
      return loadConfigFor('startup', { ...this.#dotEnv.realEnv }).sqlite.path;
    } catch {
      return undefined;
    }
  }

  /** Whether `--db` was given. */
  get dbGiven(): boolean {
    return this.#dbOption !== undefined;
  }

  /** Writes a line (or lines) of human output to stdout. */
  print(text = ''): void {
    this.#io.stdout.write(`${this.#scrubber.scrub(text)}\n`);
  }

  /** Writes the one JSON document of `--json` to stdout. Secrets serialise as [REDACTED]; undefined as null. */
  printJson(document: unknown): void {
    const json = JSON.stringify(document, (_key, value: unknown) => (value === undefined ? null : value), 2);
    this.#io.stdout.write(`${this.#scrubber.scrub(json)}\n`);
  }

  /** The raw stdout, for data (an export) that is written as it is. */
  get stdout(): OutputStream {
    return this.#io.stdout;
  }

  /** Writes a line to stderr: notes that are not the command's output. */
  note(text: string): void {
    this.#io.stderr.write(`${this.#scrubber.scrub(text)}\n`);
  }

  /** Writes a debug line to stderr when verbose. */
  debug(text: string): void {
    if (this.verbose) this.note(`toolweaver-analytics: debug: ${text}`);
  }

  /** A progress bar on stderr, drawn only when stderr is a terminal. */
  progress(label: string): Progress {
    return progressBar(this.#io.stderr, label);
  }

  /** `text` with every known credential replaced by [REDACTED]. */
  scrub(text: string): string {
    return this.#scrubber.scrub(text);
  }

  /** What scrubs every credential known so far, those of the configuration once it is loaded included. */
  get scrubber(): SecretScrubber {
    return this.#scrubber;
  }
}

/** The CLI's option is `--query-url`: a problem with it says so, not `options.query.url`. */
function namingQueryUrlOption(error: ConfigError): ConfigError {
  const option = 'options.query.url';
  if (!error.problems.some((problem) => problem.source === option)) return error;
  return new ConfigError(error.problems.map((problem) => (problem.source === option ? { ...problem, source: '--query-url' } : problem)));
}
