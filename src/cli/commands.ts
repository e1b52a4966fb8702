import { adoptionCommand } from './adoption.js';
import { backupCommand, restoreCommand } from './backup.js';
import type { Command } from './command.js';
import { demoCommand } from './demo.js';
import { exportCommand } from './export.js';
import { grafanaCommand } from './grafana.js';
import { healthCommand } from './health.js';
import { integrityCommand } from './integrity.js';
import { latencyCommand } from './latency.js';
import { leaderboardCommand } from './leaderboard.js';
import { pruneCommand } from './prune.js';
import { recommendCommand } from './recommend.js';
import { statusCommand } from './status.js';
import { trendsCommand } from './trends.js';

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
