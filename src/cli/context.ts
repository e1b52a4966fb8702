import type { GrafanaUse } from '../config/grafanaSection.js';
import { loadConfigFor } from '../config/loadConfig.js';
import { MEMORY, resolveSqlitePath } from '../config/sqlitePath.js';
import type { AnalyticsConfig } from '../config/types.js';
import { colourWanted, painter, type Painter } from './output/colour.js';
import { UsageError } from './errors.js';
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
  readonly #scrubber: SecretScrubber;
  #config: AnalyticsConfig | undefined;
  #databasePath: string | undefined;

  constructor(io: CliIo, globals: GlobalValues) {
    this.#io = io;
    this.env = io.env;
    this.cwd = io.cwd;
    this.json = globals.json;
    this.verbose = verboseWanted(globals.verbose, io.env);
    this.painter = painter(!globals.json && colourWanted(io.stdout, io.env, globals.noColor));
    this.#dbOption = globals.db;
    this.#scrubber = new SecretScrubber(io.env);
  }

  /**
   * The configuration from the environment and `.env`, loaded once. A grafana command passes what
   * it uses the Grafana settings for, so they are checked even while GRAFANA_ENABLED is off.
   * @throws {ConfigError}
   */
  config(grafana: GrafanaUse = 'startup'): AnalyticsConfig {
    if (this.#config === undefined) {
      this.#config = loadConfigFor(grafana, { ...this.env });
      this.#scrubber.addConfig(this.#config);
      this.debug(`configuration loaded: backends ${this.#config.backends.length === 0 ? 'none' : this.#config.backends.join(', ')}`);
    }
    return this.#config;
  }

  /** The database file: `--db`, else the configuration's sqlite.path. Never ':memory:', which only lives inside one process. */
  databasePath(): string {
    if (this.#databasePath !== undefined) return this.#databasePath;
    const path = this.#dbOption === undefined ? this.config().sqlite.path : resolveSqlitePath(this.#dbOption, this.env['HOME']);
    if (path === MEMORY) {
      throw new UsageError("the database is ':memory:', which lives only inside the process that made it: pass --db PATH, or set ANALYTICS_DB_PATH to a file");
    }
    this.debug(`database ${path}${this.#dbOption === undefined ? ' (from the configuration)' : ' (from --db)'}`);
    this.#databasePath = path;
    return path;
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
