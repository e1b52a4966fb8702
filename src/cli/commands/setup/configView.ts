import { Secret } from '../../../config/Secret.js';
import type { AnalyticsConfig } from '../../../config/types.js';
import { redactUrl } from '../../../exporters/redactUrl.js';

const REDACTED = '[REDACTED]';

/**
 * The configuration as plain data that is safe to print: credentials as [REDACTED], the OTLP URL
 * without user information and with its query values redacted, unset settings as null.
 */
export function configView(config: AnalyticsConfig): Record<string, unknown> {
  const safe = { ...config, otlp: { ...config.otlp, url: config.otlp.url === undefined ? undefined : redactUrl(config.otlp.url) } };
  return plain(safe) as Record<string, unknown>;
}

/** The same as `[setting, value]` lines for people: `otlp.timeoutMs`, `10000`. */
export function configLines(config: AnalyticsConfig): [string, string][] {
  const lines: [string, string][] = [];
  const walk = (value: unknown, prefix: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [key, child] of Object.entries(value)) walk(child, prefix === '' ? key : `${prefix}.${key}`);
    } else {
      lines.push([prefix, show(value)]);
    }
  };
  walk(configView(config), '');
  return lines;
}

function plain(value: unknown): unknown {
  if (value instanceof Secret) return REDACTED;
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, plain(child)]));
  return value;
}

function show(value: unknown): string {
  if (value === null) return '(unset)';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
  if (typeof value === 'object') return '(none)';
  return String(value);
}
