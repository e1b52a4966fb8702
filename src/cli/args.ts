import { UsageError } from './cliErrors.js';

/** One option of a command, as parseArgs takes it plus what the help shows. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** A one-letter alias, e.g. `h` for `-h`. */
  readonly short?: string;
  /** May be given several times; the values are collected in order. @default false */
  readonly multiple?: boolean;
  /** The placeholder of the value in the help, e.g. `ID`. */
  readonly value?: string;
  /** What it does, for the help. */
  readonly description: string;
  /** The default, as the help shows it; the command applies it. */
  readonly default?: string;
}

/** Options by long name. */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

type Values = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/**
 * A command's parsed options and positionals, with accessors that check values and throw a
 * {@link UsageError} that names the option, what is allowed and where the help is.
 */
export class ParsedArgs {
  readonly command: string;
  readonly positionals: readonly string[];
  readonly #values: Values;

  constructor(command: string, values: Values, positionals: readonly string[]) {
    this.command = command;
    this.#values = values;
    this.positionals = positionals;
  }

  /** Whether a boolean option was given. */
  flag(name: string): boolean {
    return this.#values[name] === true;
  }

  /** A string option's value; the last one when it was given several times. */
  string(name: string): string | undefined {
    const value = this.#values[name];
    const last = Array.isArray(value) ? value.at(-1) : value;
    return typeof last === 'string' ? last : undefined;
  }

  /** Every value of a repeatable option, in order. */
  strings(name: string): string[] {
    const value = this.#values[name];
    return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
  }

  /** A string option that must be given. */
  required(name: string, placeholder = 'VALUE'): string {
    const value = this.string(name);
    if (value === undefined || value.trim() === '') throw this.usage(`${this.command} needs --${name} ${placeholder}`);
    return value;
  }

  /** A whole-number option from `min` to `max`, or `fallback` when it is not given. */
  integer(name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
    const text = this.string(name);
    if (text === undefined) return fallback;
    const value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
      throw this.usage(`--${name} must be a whole number, ${range}, got ${JSON.stringify(text)}`);
    }
    return value;
  }

  /** An option that must be one of `choices`, or `fallback` when it is not given. */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const text = this.string(name);
    if (text === undefined) return fallback;
    const found = choices.find((choice) => choice === text.toLowerCase());
    if (found === undefined) throw this.usage(`--${name} must be ${listOr(choices)}, got ${JSON.stringify(text)}`);
    return found;
  }

  /** A usage error about this command, pointing at its help. */
  usage(problem: string): UsageError {
    return new UsageError(`${problem} (see \`toolweaver-analytics ${this.command} --help\`)`);
  }
}

/** `a, b or c`. */
export function listOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
