import { VERSION } from '../core/version.js';
import { COMMANDS } from './commands.js';
import type { CliIo } from './context.js';
import { effectiveEnvironment, readDotEnv } from './dotenv.js';
import { CliError, describeError, EXIT } from './cliErrors.js';
import { verboseWanted } from './globalOptions.js';
import { commandHelp, programHelp } from './output/help.js';
import { parseInvocation } from './parse.js';
import { SecretScrubber } from './output/scrubber.js';

/**
 * Runs the CLI on `argv` (without `node` and the script) and resolves to the exit code. Never
 * throws: errors become one line on stderr (with the stack under --verbose) and exit code 1 or 2.
 * `io.env` is the real environment; `.env` in `io.cwd` is merged under it.
 *
 * `--version` and the help answer before anything heavy is loaded: the configuration (zod), the
 * database driver and OpenTelemetry come in with the command that needs them.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // `help leaderboard` is `leaderboard --help`.
  const words = argv[0] === 'help' ? [...argv.slice(1), '--help'] : argv;
  let env = io.env;
  let scrubber: SecretScrubber | undefined;
  try {
    const dotEnv = readDotEnv(io.cwd);
    env = effectiveEnvironment(io.env, dotEnv);
    const { command, globals, args } = await parseInvocation(words, COMMANDS);
    if (globals.version) {
      io.stdout.write(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (command === undefined) {
      (globals.help ? io.stdout : io.stderr).write(`${programHelp(COMMANDS)}\n`);
      return globals.help ? EXIT.ok : EXIT.usage;
    }
    if (globals.help) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return EXIT.ok;
    }
    const { CliContext } = await import('./context.js');
    const fromDotEnv = new Set(Object.keys(dotEnv).filter((name) => !Object.hasOwn(io.env, name)));
    const context = new CliContext({ ...io, env }, globals, { realEnv: io.env, names: fromDotEnv });
    scrubber = context.scrubber;
    const started = performance.now();
    const code = await command.run(context, args);
    context.debug(`${command.name} finished with exit code ${code} in ${Math.round(performance.now() - started)} ms`);
    return code;
  } catch (error) {
    const { message, exitCode } = describeError(error);
    const scrub = (text: string) => (scrubber ?? new SecretScrubber(env)).scrub(text);
    io.stderr.write(`${scrub(`toolweaver-analytics: ${message}`)}\n`);
    if (
      verboseWanted(argv.includes('--verbose'), env) &&
      !(error instanceof CliError) &&
      error instanceof Error &&
      error.stack !== undefined
    ) {
      io.stderr.write(`${scrub(error.stack)}\n`);
    }
    return exitCode;
  }
}
