import type { ConfigProblem } from '../core/errors.js';
import { checkOptions, type CheckedOptions } from './checkOptions.js';
import { DEFAULTS } from './defaults.js';
import { REDACTED } from './display.js';
import { showOption } from './options.js';
import { valueAt, type ConfigPath, type ValueAt } from './paths.js';
import { ENV_VARIABLES, findVariable, variablesFor, type EnvName, type EnvValue } from './variables.js';

/** A setting's value and where it came from: `options.<path>`, a variable name, or `default`. */
export interface Resolved<T> {
  readonly value: T;
  readonly source: string;
}

/**
 * Where settings come from, in order: explicit options, then environment variables, then
 * {@link DEFAULTS}. Reading a value that is not valid records a problem (secrets redacted) and
 * yields the default, so that one pass finds every problem.
 */
export class ConfigSources {
  /** Every problem found so far. */
  readonly problems: ConfigProblem[] = [];
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #options: CheckedOptions;

  constructor(env: Readonly<Record<string, string | undefined>>, options: unknown) {
    this.#env = env;
    this.#options = checkOptions(options, this.problems);
  }

  /** HOME, which `~` in a database path stands for; undefined when unset (the account's home directory is used). */
  get home(): string | undefined {
    return this.raw('HOME');
  }

  /** The trimmed text of a variable; undefined when it is unset, empty or blank. */
  raw(name: string): string | undefined {
    const text = this.#env[name]?.trim();
    return text === '' ? undefined : text;
  }

  /** A variable's parsed value; undefined when it is unset, or invalid (then a problem is recorded). */
  env<N extends EnvName>(name: N): EnvValue<N> | undefined {
    const raw = this.raw(name);
    if (raw === undefined) return undefined;
    const variable = ENV_VARIABLES[name];
    const parsed = variable.schema.safeParse(raw);
    if (parsed.success) return parsed.data as EnvValue<N>;
    for (const issue of parsed.error.issues) {
      const expected = issue.code === 'custom' ? `${issue.message}; expected ${variable.allowed}` : `expected ${variable.allowed}`;
      this.problem(name, this.shown(name), expected);
    }
    return undefined;
  }

  /** Whether the option at `path` was given (valid or not). */
  hasOption(path: ConfigPath): boolean {
    return this.#options.given.has(path);
  }

  /** The explicit option, else the first variable for `path` that is set, else the default. */
  setting<P extends ConfigPath>(path: P): Resolved<ValueAt<P>> {
    const fallback = valueAt(DEFAULTS, path) as ValueAt<P>;
    if (this.hasOption(path)) return { value: (this.#options.values.get(path) ?? fallback) as ValueAt<P>, source: `options.${path}` };
    const name = variablesFor(path).find((candidate) => this.raw(candidate) !== undefined);
    if (name === undefined) return { value: fallback, source: 'default' };
    return { value: (this.env(name) ?? fallback) as ValueAt<P>, source: name };
  }

  /**
   * A record setting merged key by key: the default, then every variable for `path` from lowest
   * precedence to highest, then the option. `keyOf` says when two keys are the same key.
   */
  record<T>(path: ConfigPath, keyOf: (key: string) => string = (key) => key): Record<string, T> {
    const layers = [
      valueAt(DEFAULTS, path),
      ...variablesFor(path)
        .reverse()
        .map((name) => this.env(name)),
      this.#options.values.get(path),
    ] as (Readonly<Record<string, T>> | undefined)[];
    const merged = new Map<string, [string, T]>();
    for (const layer of layers) {
      for (const [key, value] of Object.entries(layer ?? {})) merged.set(keyOf(key), [key, value]);
    }
    return Object.fromEntries(merged.values());
  }

  /** How a problem message shows the value of `source` (a variable name or `options.<path>`), secrets redacted. */
  shown(source: string): string {
    if (source.startsWith('options.')) {
      const path = source.slice('options.'.length) as ConfigPath;
      return showOption(path, this.#options.values.get(path));
    }
    const variable = findVariable(source);
    const raw = this.raw(source) ?? '';
    if (variable?.redact !== undefined) return variable.redact(raw);
    return variable?.secret === true ? REDACTED : raw;
  }

  /** Records a problem. */
  problem(source: string, value: string, expected: string): void {
    this.problems.push({ source, value, expected });
  }
}
