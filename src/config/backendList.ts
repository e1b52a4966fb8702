import { z } from 'zod';
import { closestMatch } from './closestMatch.js';
import type { BackendName } from './types.js';

/** Every backend, in the order the docs list them. */
export const BACKEND_NAMES = ['sqlite', 'prometheus', 'otlp', 'console'] as const satisfies readonly BackendName[];

// Fails to compile when types.ts gains a backend that BACKEND_NAMES lacks.
const everyBackendListed: [Exclude<BackendName, (typeof BACKEND_NAMES)[number]>] extends [never] ? true : never = true;
void everyBackendListed;

/** What `ANALYTICS_BACKEND` accepts. */
export const BACKEND_LIST_ALLOWED = `a comma-separated list of ${BACKEND_NAMES.join(', ')}; or none alone for no backend`;

/** Whether `name` is a backend. */
export function isBackendName(name: string): name is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(name);
}

/** `ANALYTICS_BACKEND`: names trimmed, any case, duplicates dropped, order kept; `none` alone is no backend. */
export const backendList: z.ZodType<readonly BackendName[], string> = z.string().transform((raw, ctx) => {
  const names = [...new Set(raw.split(',').map((name) => name.trim().toLowerCase()))].filter((name) => name !== '');
  const reason = listProblem(names);
  if (reason !== undefined) {
    ctx.addIssue({ code: 'custom', message: reason });
    return z.NEVER;
  }
  return names.filter(isBackendName);
});

function listProblem(names: readonly string[]): string | undefined {
  const unknown = names.filter((name) => name !== 'none' && !isBackendName(name));
  if (unknown.length > 0) return unknown.map(describeUnknown).join('; ');
  if (names.length === 0) return 'names no backend';
  if (names.includes('none') && names.length > 1) return 'none means no backend, so it cannot be combined with others';
  return undefined;
}

function describeUnknown(name: string): string {
  const near = closestMatch(name, [...BACKEND_NAMES, 'none']);
  return `unknown backend "${name}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`;
}

/** `backends` with `name` added at the end (`enabled` true) or removed (false); unchanged when undefined. */
export function withBackend(backends: readonly BackendName[], name: BackendName, enabled: boolean | undefined): readonly BackendName[] {
  if (enabled === undefined) return backends;
  if (!enabled) return backends.filter((backend) => backend !== name);
  return backends.includes(name) ? backends : [...backends, name];
}
