import type { OptionSpec, OptionSpecs } from '../args.js';
import type { Command } from '../command.js';
import type { CommandEntry } from '../commands.js';
import { GLOBAL_OPTIONS } from '../globalOptions.js';

const PROGRAM = 'toolweaver-analytics';

/** The program's help: what it is, the commands, the global options, exit codes and where the docs are. */
export function programHelp(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Skill analytics from the toolweaver-analytics SQLite database: leaderboards, trends, latency,',
    'adoption, health and recommendations, plus status, export, backup, maintenance and Grafana provisioning.',
    'leaderboard, trends, latency and health also read a Prometheus-compatible store (Prometheus,',
    'VictoriaMetrics, Grafana Cloud) with --query-url or ANALYTICS_QUERY_URL, with ANALYTICS_QUERY_USER,',
    'ANALYTICS_QUERY_TOKEN and ANALYTICS_QUERY_TIMEOUT (docs/fleet.md).',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    '',
    'Global options (before or after the command):',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'A .env file in the working directory is read first; real environment variables win over it.',
    'Exit codes: 0 success, 1 failure (missing or damaged database, a backend or query API down or refusing), 2 bad usage or configuration.',
    '',
    'Example:',
    `  ${PROGRAM} leaderboard --metric rating --window 30d`,
    '',
    `Run \`${PROGRAM} <command> --help\` (or \`${PROGRAM} help <command>\`) for a command's options; docs/cli.md has them all.`,
  ].join('\n');
}

/** A command's help: usage, description, its options with their defaults, the global options, examples. */
export function commandHelp(command: Command): string {
  const own = Object.keys(command.options).length > 0 ? ['', 'Options:', ...optionLines(command.options)] : [];
  return [
    `Usage: ${PROGRAM} ${command.usage}`,
    '',
    command.description,
    ...own,
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    command.examples.length === 1 ? 'Example:' : 'Examples:',
    ...command.examples.map((example) => `  ${PROGRAM} ${example}`),
  ].join('\n');
}

function optionLines(specs: OptionSpecs): string[] {
  const entries = Object.entries(specs).map(([name, spec]) => [signature(name, spec), describe(spec)] as const);
  const width = Math.max(...entries.map(([left]) => left.length));
  return entries.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function signature(name: string, spec: OptionSpec): string {
  const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
  const value = spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : '';
  return `${short}--${name}${value}${spec.multiple === true ? ' ...' : ''}`;
}

function describe(spec: OptionSpec): string {
  return spec.default === undefined ? spec.description : `${spec.description} (default: ${spec.default})`;
}
