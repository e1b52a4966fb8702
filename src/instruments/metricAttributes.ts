import { ATTR, GEN_AI } from './names.js';

/** Label names a custom attribute may not take: ours, the semconv metric's, the span-only ids, and Prometheus' own. */
const RESERVED = new Set(
  [...Object.values(ATTR), ...Object.entries(GEN_AI).flatMap(([name, key]) => (name === 'executeTool' ? [] : [key])), 'le'].map(labelName),
);

/**
 * The key as a Prometheus label: every character outside `[a-zA-Z0-9_]` made `_`, runs of `_` made
 * one, as the Prometheus exporter writes it and as Grafana's OTLP translation does.
 */
function labelName(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
}

/**
 * The custom attribute keys that label metric series (`metricAttributes`), checked: an array of
 * non-empty strings, none of which becomes one of our labels on a metric backend (`skill.id` would
 * be `skill_id`), a GenAI attribute we set ourselves (the user and conversation ids among them,
 * which never become metric attributes this way), or a label Prometheus keeps (`le`, `__…`). Throws a TypeError naming
 * `where` and the key.
 */
export function checkMetricAttributes(keys: unknown, where: string): readonly string[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string' || key.trim() === ''))
    throw new TypeError(`${where} must be an array of custom attribute keys such as ['app.tier'], got ${JSON.stringify(keys)}`);
  const unique = [...new Set((keys as string[]).map((key) => key.trim()))];
  for (const key of unique) {
    if (key.startsWith('__'))
      throw new TypeError(
        `${where}: ${JSON.stringify(key)} starts with __, which Prometheus reserves for its own labels; give the custom attribute another key`,
      );
    const label = labelName(key);
    if (RESERVED.has(label))
      throw new TypeError(
        `${where}: ${JSON.stringify(key)} would be the label ${label}, which toolweaver-analytics or Prometheus sets itself; ` +
          'give the custom attribute another key',
      );
  }
  return Object.freeze(unique);
}
