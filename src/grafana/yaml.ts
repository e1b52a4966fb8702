/** A value {@link toYaml} writes: what Grafana's provisioning files hold. */
export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * YAML for the provisioning files, block style, two spaces per level. Every string is written
 * double-quoted as JSON writes it, which YAML reads the same, so no value (a path with `: `, a
 * name like `yes` or `0755`) can change meaning; line and paragraph separators are escaped too.
 */
export function toYaml(document: { readonly [key: string]: YamlValue }): string {
  return `${mappingLines(document, '').join('\n')}\n`;
}

function mappingLines(mapping: { readonly [key: string]: YamlValue }, pad: string): string[] {
  return Object.entries(mapping).flatMap(([key, value]) => {
    const name = PLAIN_KEY.test(key) ? key : scalar(key);
    if (isInline(value)) return [`${pad}${name}: ${inline(value)}`];
    return [`${pad}${name}:`, ...blockLines(value, `${pad}  `)];
  });
}

function blockLines(value: YamlValue, pad: string): string[] {
  if (!Array.isArray(value)) return mappingLines(value as { readonly [key: string]: YamlValue }, pad);
  return (value as readonly YamlValue[]).flatMap((item) => {
    if (isInline(item)) return [`${pad}- ${inline(item)}`];
    const [first = '', ...rest] = blockLines(item, `${pad}  `);
    return [`${pad}- ${first.slice(pad.length + 2)}`, ...rest];
  });
}

function isInline(value: YamlValue): boolean {
  if (value === null || typeof value !== 'object') return true;
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function inline(value: YamlValue): string {
  if (Array.isArray(value)) return '[]';
  if (value !== null && typeof value === 'object') return '{}';
  return scalar(value as string | number | boolean | null);
}

function scalar(value: string | number | boolean | null): string {
  if (typeof value !== 'string') return String(value);
  return JSON.stringify(value).replaceAll('\u2028', '\\u2028').replaceAll('\u2029', '\\u2029');
}
