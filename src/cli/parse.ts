import { parseArgs } from 'node:util';
import { closestMatch } from '../config/closestMatch.js';
import { ParsedArgs, type OptionSpecs } from './args.js';
import type { Command } from './command.js';
import type { CommandEntry } from './commands.js';
import { UsageError } from './cliErrors.js';
import { GLOBAL_OPTIONS, type GlobalValues } from './globalOptions.js';

/** What the command line asks for. */
export interface Invocation {
  /** Undefined when no command was named (`--help`, `--version`, or nothing at all). */
  readonly command: Command | undefined;
  readonly globals: GlobalValues;
  /** The command's options and positionals; empty without a command. */
  readonly args: ParsedArgs;
}

type ParseOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/**
 * Splits `argv` into the command and its options. Global options may come before or after the
 * command's name; a command's own options only after it. Unknown commands and options, missing
 * values and stray arguments are {@link UsageError}s that suggest the nearest name. Only the named
 * command's module is loaded.
 */
export async function parseInvocation(argv: readonly string[], commands: readonly CommandEntry[]): Promise<Invocation> {
  const split = await findCommandName(argv, commands);
  if (split === undefined) {
    const values = strictParse([...argv], GLOBAL_OPTIONS, false, undefined).values;
    return { command: undefined, globals: globalValues(values), args: new ParsedArgs('', {}, []) };
  }
  const entry = commands.find((candidate) => candidate.name === split.name);
  if (entry === undefined) {
    const near = closestMatch(
      split.name,
      commands.map((candidate) => candidate.name),
    );
    const hint = near === undefined ? 'see `toolweaver-analytics --help` for the commands' : `did you mean \`${near}\`?`;
    throw new UsageError(`unknown command ${JSON.stringify(split.name)}: ${hint}`);
  }
  const command = await entry.load();
  const rest = [...argv.slice(0, split.index), ...argv.slice(split.index + 1)];
  const { values, positionals } = strictParse(rest, { ...GLOBAL_OPTIONS, ...command.options }, command.positionals ?? false, command);
  return { command, globals: globalValues(values), args: new ParsedArgs(command.name, values, positionals) };
}

/** The first argument that is neither an option nor an option's value, and where it is. */
async function findCommandName(
  argv: readonly string[],
  commands: readonly CommandEntry[],
): Promise<{ name: string; index: number } | undefined> {
  const { tokens } = parseArgs({
    args: [...argv],
    options: toParseOptions(GLOBAL_OPTIONS),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') return { name: token.value, index: token.index };
    if (token.kind === 'option-terminator') return undefined;
    if (token.kind === 'option' && !Object.hasOwn(GLOBAL_OPTIONS, token.name)) throw await misplacedOption(token.rawName, commands);
  }
  return undefined;
}

/**
 * An option before the command that is no global option: a command's option given too early, or
 * a global one mistyped. Only this error loads every command, to tell which.
 */
async function misplacedOption(rawName: string, commands: readonly CommandEntry[]): Promise<UsageError> {
  const loaded = await Promise.all(commands.map((entry) => entry.load()));
  const name = rawName.replace(/^-+/, '');
  const long = rawName.startsWith('--');
  const ofCommand = loaded.some((command) =>
    Object.entries(command.options).some(([option, spec]) => (long ? option === name : spec.short === name)),
  );
  if (ofCommand) {
    const help = '(see `toolweaver-analytics --help`)';
    return new UsageError(`unknown option ${rawName} before the command: a command's options go after its name ${help}`);
  }
  return new UsageError(`${unknownOption(rawName, GLOBAL_OPTIONS)} (see \`toolweaver-analytics --help\`)`);
}

/** `unknown option --vers: did you mean --version?`, or `-V: did you mean -v (--version)?` for a one-letter option. */
function unknownOption(rawName: string, specs: OptionSpecs): string {
  const name = rawName.replace(/^-+/, '');
  if (!rawName.startsWith('--') && name.length === 1) {
    const short = Object.entries(specs).find(([, spec]) => spec.short?.toLowerCase() === name.toLowerCase());
    return `unknown option ${rawName}${short === undefined ? '' : `: did you mean -${short[1].short} (--${short[0]})?`}`;
  }
  const near = closestMatch(name, Object.keys(specs));
  return `unknown option ${rawName}${near === undefined ? '' : `: did you mean --${near}?`}`;
}

function strictParse(args: string[], specs: OptionSpecs, allowPositionals: boolean, command: Command | undefined) {
  try {
    return parseArgs({ args, options: toParseOptions(specs), strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(
      `${explainParseError(error, specs)} (see \`toolweaver-analytics${command === undefined ? '' : ` ${command.name}`} --help\`)`,
    );
  }
}

function explainParseError(error: unknown, specs: OptionSpecs): string {
  const { code, message } = error as { code?: string; message: string };
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return unknownOption(quoted, specs);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${JSON.stringify(quoted)}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = quoted.split(' ')[0] ?? quoted;
    return message.includes('does not take an argument') ? `option ${option} takes no value` : `option ${option} needs a value`;
  }
  return message;
}

function toParseOptions(specs: OptionSpecs): ParseOptions {
  const options: ParseOptions = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.type,
      ...(spec.short === undefined ? {} : { short: spec.short }),
      ...(spec.multiple === true ? { multiple: true } : {}),
    };
  }
  return options;
}

function globalValues(values: Readonly<Record<string, unknown>>): GlobalValues {
  const db = values['db'];
  const queryUrl = values['query-url'];
  return {
    db: typeof db === 'string' ? db : undefined,
    queryUrl: typeof queryUrl === 'string' ? queryUrl : undefined,
    json: values['json'] === true,
    verbose: values['verbose'] === true,
    noColor: values['no-color'] === true,
    help: values['help'] === true,
    version: values['version'] === true,
  };
}
