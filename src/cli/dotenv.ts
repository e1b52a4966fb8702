import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from './cliErrors.js';

/** The variables of `.env` in `directory` (none when there is no such file), parsed as Node's --env-file does. */
export function readDotEnv(directory: string): Record<string, string> {
  const path = join(directory, '.env');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return {};
    throw new UsageError(`cannot read ${path} (${code ?? (error as Error).message}): make it readable, or remove it`);
  }
  const parsed = parseEnv(text);
  return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The environment the CLI works with: `.env` first, then the real environment, whose variables win. */
export function effectiveEnvironment(
  real: Readonly<Record<string, string | undefined>>,
  dotEnv: Readonly<Record<string, string>>,
): Record<string, string | undefined> {
  return { ...dotEnv, ...real };
}
