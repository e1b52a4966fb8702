import type { OptionSpecs, ParsedArgs } from './args.js';
import type { CliContext } from './context.js';

/** One command of the CLI: what the help says about it, and what it does. */
export interface Command {
  readonly name: string;
  /** What follows the program name in the usage line, e.g. `leaderboard [options]`. */
  readonly usage: string;
  /** A few sentences for the command's help. */
  readonly description: string;
  /** Its own options; the global options come on top. */
  readonly options: OptionSpecs;
  /** Whether it takes positional arguments. @default false */
  readonly positionals?: boolean;
  /** Command lines to try, without the program name. */
  readonly examples: readonly string[];
  /** Does the work; resolves to the exit code. */
  run(context: CliContext, args: ParsedArgs): Promise<number>;
}
