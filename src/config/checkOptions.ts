import type { z } from 'zod';
import type { ConfigProblem } from '../core/errors.js';
import { closestMatch } from './closestMatch.js';
import { showKind } from './display.js';
import { OPTIONS, OPTION_PATHS, showOption, type OptionSetting } from './options.js';
import { valueAt, type ConfigPath } from './paths.js';

/** The options that were given, parsed where valid. */
export interface CheckedOptions {
  /** Paths given a value other than undefined, valid or not: these settings do not read the environment. */
  readonly given: ReadonlySet<ConfigPath>;
  /** The parsed value of every valid option. */
  readonly values: ReadonlyMap<ConfigPath, unknown>;
}

interface KeyTree {
  [key: string]: KeyTree | null;
}

const TREE = buildTree(OPTION_PATHS);

/**
 * Checks `options` against {@link OPTIONS}: each known option with its schema, each section for
 * being an object, each unknown key (with a suggestion when it looks like a typo). Every problem
 * is pushed to `problems`.
 */
export function checkOptions(options: unknown, problems: ConfigProblem[]): CheckedOptions {
  const given = new Set<ConfigPath>();
  const values = new Map<ConfigPath, unknown>();
  const visitLeaf = (path: ConfigPath, value: unknown): void => {
    given.add(path);
    const parsed = parseOption(path, value, problems);
    if (parsed.success) values.set(path, parsed.data);
  };
  walk(options, TREE, '', visitLeaf, problems);
  return { given, values };
}

function walk(
  value: unknown,
  tree: KeyTree,
  prefix: string,
  visitLeaf: (path: ConfigPath, value: unknown) => void,
  problems: ConfigProblem[],
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const keys = Object.keys(tree).join(', ');
    problems.push({ source: sourceOf(prefix), value: showKind(value), expected: `expected an object with the keys ${keys}` });
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const subtree = Object.hasOwn(tree, key) ? tree[key] : undefined;
    if (subtree === undefined) problems.push(unknownOption(path, child, Object.keys(tree), prefix));
    else if (child === undefined) continue;
    else if (subtree === null) visitLeaf(path as ConfigPath, child);
    else walk(child, subtree, path, visitLeaf, problems);
  }
}

function parseOption(path: ConfigPath, value: unknown, problems: ConfigProblem[]): z.ZodSafeParseResult<unknown> {
  const setting: OptionSetting = OPTIONS[path];
  const parsed = setting.schema.safeParse(value);
  for (const issue of parsed.error?.issues ?? []) {
    // Point into records (`health.latencyTargetsMs.web_search`), but show arrays whole.
    const end = issue.path.findIndex((key) => typeof key !== 'string');
    const subpath = (end < 0 ? issue.path : issue.path.slice(0, end)) as string[];
    const source = sourceOf([path, ...subpath].join('.'));
    const expected = issue.code === 'custom' ? `${issue.message}; expected ${setting.allowed}` : `expected ${setting.allowed}`;
    problems.push({ source, value: showOption(path, valueAt(value, subpath)), expected });
  }
  return parsed;
}

function unknownOption(path: string, value: unknown, siblings: readonly string[], prefix: string): ConfigProblem {
  return { source: sourceOf(path), value: showKind(value), expected: adviceForUnknown(path, siblings, prefix) };
}

/** Suggests a key at the same level first, then keys of the same name in other sections. */
function adviceForUnknown(path: string, siblings: readonly string[], prefix: string): string {
  const key = lastKey(path);
  const sibling = closestMatch(key, siblings);
  if (sibling !== undefined) return `Misspelled option "${path}": did you mean "${prefix === '' ? sibling : `${prefix}.${sibling}`}"?`;
  const elsewhere = OPTION_PATHS.filter((known) => closestMatch(key, [lastKey(known)]) !== undefined);
  if (elsewhere.length > 0) return `Unknown option "${path}": did you mean ${elsewhere.map((known) => `"${known}"`).join(' or ')}?`;
  return `Unknown option "${path}": the options here are ${siblings.join(', ')}`;
}

function lastKey(path: string): string {
  return path.slice(path.lastIndexOf('.') + 1);
}

function sourceOf(path: string): string {
  return path === '' ? 'options' : `options.${path}`;
}

function buildTree(paths: readonly string[]): KeyTree {
  const root: KeyTree = {};
  for (const path of paths) {
    const keys = path.split('.');
    let node = root;
    keys.forEach((key, index) => {
      if (index === keys.length - 1) node[key] = null;
      else node = node[key] ??= {};
    });
  }
  return root;
}
