#!/usr/bin/env node
/**
 * The `toolweaver-analytics` command: skill analytics from the SQLite database, status of the
 * backends, export, backup and maintenance. See docs/cli.md, or run it with --help.
 */
import { runCli } from './run.js';

// A reader that stops early (`| head`) closes the pipe: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
