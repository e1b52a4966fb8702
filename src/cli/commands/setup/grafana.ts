import { resolve } from 'node:path';
import { DEFAULT_DASHBOARDS_PATH, exportGrafanaProvisioning } from '../../../grafana/exportProvisioning.js';
import { provisionGrafana } from '../../../grafana/provisionGrafana.js';
import type { ProvisionAction, ProvisionResult } from '../../../grafana/ProvisionResult.js';
import type { ParsedArgs } from '../../args.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { EXIT, namingFlag } from '../../cliErrors.js';
import { renderTable } from '../../output/table.js';

const SUBCOMMANDS = ['provision', 'export'] as const;
const EXPORT_ONLY = ['out', 'dashboards-path', 'force'] as const;
const DONE: Readonly<Record<ProvisionAction, string>> = {
  create: 'created',
  update: 'updated',
  unchanged: 'unchanged',
  'use existing': 'used as it is',
};
const STYLE = { create: 'green', update: 'yellow', unchanged: 'dim', 'use existing': 'dim' } as const;

/** `grafana provision` and `grafana export`: the dashboards into a Grafana, through its API or as files. */
export const grafanaCommand: Command = {
  name: 'grafana',
  usage: 'grafana provision [--dry-run] [options]   or   grafana export --out DIR [--dashboards-path PATH] [--force] [options]',
  description:
    '`provision` creates or updates, through the HTTP API of the Grafana at GRAFANA_URL (key in\n' +
    'GRAFANA_API_KEY), the data source, the ToolWeaver folder and the five dashboards; only what\n' +
    'differs is written, so a second run changes nothing. `--dry-run` only reads and prints the plan.\n' +
    "`export` writes Grafana's file provisioning (data source and dashboard provider YAML, and the\n" +
    'dashboard JSON) into DIR for docker-compose and Kubernetes; it contacts no Grafana. Both read the\n' +
    'GRAFANA_* variables even while GRAFANA_ENABLED is off. See docs/grafana.md.',
  options: {
    'dry-run': { type: 'boolean', description: 'provision: only read, and print what would be done' },
    out: { type: 'string', value: 'DIR', description: 'export: the directory to write (required)' },
    'dashboards-path': {
      type: 'string',
      value: 'PATH',
      description: 'export: where Grafana finds the dashboard files',
      default: DEFAULT_DASHBOARDS_PATH,
    },
    force: { type: 'boolean', description: 'export: write into DIR even when it holds other files (never through a link)' },
  },
  positionals: true,
  examples: ['grafana provision --dry-run', 'grafana provision', 'grafana export --out ./grafana'],
  async run(context, args) {
    const subcommand = subcommandOf(args);
    return subcommand === 'provision' ? provision(context, args) : exportFiles(context, args);
  },
};

function subcommandOf(args: ParsedArgs): (typeof SUBCOMMANDS)[number] {
  const [first, ...extra] = args.positionals;
  if (first === undefined) throw args.usage('grafana needs a subcommand: provision or export');
  const subcommand = SUBCOMMANDS.find((name) => name === first);
  if (subcommand === undefined) throw args.usage(`unknown grafana subcommand ${JSON.stringify(first)}: use provision or export`);
  if (extra.length > 0) throw args.usage(`unexpected argument ${JSON.stringify(extra[0])}`);
  const misplaced =
    subcommand === 'provision'
      ? EXPORT_ONLY.find((name) => args.flag(name) || args.string(name) !== undefined)
      : args.flag('dry-run')
        ? 'dry-run'
        : undefined;
  if (misplaced !== undefined)
    throw args.usage(`--${misplaced} is an option of grafana ${subcommand === 'provision' ? 'export' : 'provision'}`);
  return subcommand;
}

async function provision(context: CliContext, args: ParsedArgs): Promise<number> {
  const grafana = context.config('api').grafana;
  const result = await provisionGrafana({
    grafana,
    dryRun: args.flag('dry-run'),
    onWarning: (message) => context.note(`toolweaver-analytics: warning: ${message}`),
  });
  if (context.json) context.printJson(result);
  else printResult(context, result);
  return EXIT.ok;
}

function printResult(context: CliContext, result: ProvisionResult): void {
  const at = `Grafana${result.grafanaVersion === undefined ? '' : ` ${result.grafanaVersion}`} at ${result.url}`;
  context.print(result.dryRun ? `Plan for ${at} (dry run: nothing is written):` : `Provisioned ${at}:`);
  const rows = result.steps.map((step) => [
    step.kind,
    step.name,
    step.uid,
    { text: result.dryRun ? step.action : DONE[step.action], style: STYLE[step.action] },
  ]);
  context.print(
    renderTable(
      [{ header: 'kind' }, { header: 'name' }, { header: 'uid' }, { header: result.dryRun ? 'plan' : 'done' }],
      rows,
      context.painter,
    ),
  );
  const count = (action: ProvisionAction) => result.steps.filter((step) => step.action === action).length;
  const changes = count('create') + count('update');
  const summary = result.dryRun
    ? `${count('create')} to create, ${count('update')} to update, ${count('unchanged') + count('use existing')} unchanged.`
    : `${count('create')} created, ${count('update')} updated, ${count('unchanged') + count('use existing')} unchanged.`;
  context.print(changes === 0 && !result.dryRun ? `${summary} Nothing to do: Grafana was up to date.` : summary);
}

async function exportFiles(context: CliContext, args: ParsedArgs): Promise<number> {
  const out = resolve(context.cwd, args.required('out', 'DIR'));
  const { grafana, sqlite } = context.config('files');
  const dashboardsPath = args.string('dashboards-path') ?? DEFAULT_DASHBOARDS_PATH;
  // The database is protected whether or not --db names it; ':memory:' has no file to protect.
  const databasePath = context.dbGiven ? context.databasePath() : sqlite.path;
  const options = { grafana, dashboardsPath, force: args.flag('force'), databasePath };
  const result = await exportGrafanaProvisioning(out, options).catch((error: unknown) => {
    throw namingFlag(error, '--force');
  });
  if (context.json) {
    context.printJson({ ...result, flavour: grafana.datasourceType, dashboardsPath });
    return EXIT.ok;
  }
  context.print(
    `Wrote Grafana file provisioning for the ${grafana.datasourceType} data source "${grafana.datasourceName}" to ${result.dir}:`,
  );
  for (const file of result.files) context.print(`  ${file}`);
  context.print(`Mount provisioning/ at /etc/grafana/provisioning and dashboards/ at ${dashboardsPath} (see docs/grafana.md).`);
  return EXIT.ok;
}
