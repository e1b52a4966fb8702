import { adoptionCommand } from './commands/reports/adoption.js';
import { backupCommand, restoreCommand } from './commands/maintenance/backup.js';
import type { Command } from './command.js';
import { demoCommand } from './commands/setup/demo.js';
import { exportCommand } from './commands/maintenance/export.js';
import { grafanaCommand } from './commands/setup/grafana.js';
import { healthCommand } from './commands/reports/health.js';
import { integrityCommand } from './commands/maintenance/integrity.js';
import { latencyCommand } from './commands/reports/latency.js';
import { leaderboardCommand } from './commands/reports/leaderboard.js';
import { pruneCommand } from './commands/maintenance/prune.js';
import { recommendCommand } from './commands/reports/recommend.js';
import { statusCommand } from './commands/setup/status.js';
import { trendsCommand } from './commands/reports/trends.js';

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly Command[] = Object.freeze([
  statusCommand,
  leaderboardCommand,
  trendsCommand,
  latencyCommand,
  adoptionCommand,
  healthCommand,
  recommendCommand,
  exportCommand,
  backupCommand,
  restoreCommand,
  pruneCommand,
  integrityCommand,
  grafanaCommand,
  demoCommand,
]);
