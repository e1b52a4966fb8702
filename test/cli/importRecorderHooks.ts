import { appendFileSync } from 'node:fs';

/** The hooks of importRecorder.ts; they run on the loader's own thread. */
let log: string | undefined;

export function initialize(data: { log?: string }): void {
  log = data.log;
}

export async function resolve(
  specifier: string,
  context: object,
  next: (specifier: string, context: object) => Promise<{ url: string }>,
): Promise<{ url: string }> {
  const resolved = await next(specifier, context);
  if (log !== undefined) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
