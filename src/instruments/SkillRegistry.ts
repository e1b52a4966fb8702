import { log } from '../core/log.js';
import { HealthWindow } from './HealthWindow.js';
import type { CustomAttributeValue, Identity } from './identity.js';
import type { SeriesMemo } from './IdentityStore.js';
import { ATTR } from './names.js';
import { SeriesState } from './SeriesState.js';
import { SYSTEM_CLOCK, type Clock } from './clock.js';

/** How the registry keys series and bounds them. */
export interface RegistryOptions {
  /** Put user_id and org_id on series. @default false */
  readonly userLabels: boolean;
  /** Series (and skills) before new ones fold into the overflow series. @default 2000 */
  readonly cardinalityLimit: number;
  /** Length of the health score's rolling window. @default 900000 */
  readonly healthWindowMs: number;
  /** Custom attribute keys that label series too (already checked, see checkMetricAttributes). @default [] */
  readonly metricAttributes?: readonly string[];
}

/** Per-skill state: the rolling health window, its ratings, and its series. */
export class SkillState implements SeriesMemo {
  readonly skillId: string | undefined;
  readonly health: HealthWindow;
  ratingSum = 0;
  ratingCount = 0;
  /** The series without user labels; with user labels, the series of calls made for nobody. */
  readonly base: SeriesState;
  /**
   * The per-user series of the SQLite backend last used for this skill (see IdentityStore). It is
   * kept until the skill's next call, so at most one drained series per skill outlives its interval.
   */
  memoIdentity: Identity | undefined = undefined;
  memoInterval = -1;
  memoSeries: SeriesState | undefined = undefined;
  /**
   * The metric series last found for a frozen identity (a withContext context) and a tool's
   * attributes: the calls of one agent's context find theirs without building a key. Series live as
   * long as the process, so the memo never goes stale.
   */
  seriesMemoIdentity: Identity | undefined = undefined;
  seriesMemoTool: object | undefined = undefined;
  seriesMemoSeries: SeriesState | undefined = undefined;

  constructor(skillId: string | undefined, base: SeriesState, healthWindowMs: number) {
    this.skillId = skillId;
    this.base = base;
    this.health = new HealthWindow(healthWindowMs, base.healthTotals);
  }

  /** False for the overflow skill, which has no id and no score. */
  get isNamed(): boolean {
    return this.skillId !== undefined;
  }
}

const OVERFLOW_ATTRIBUTES = Object.freeze({ [ATTR.overflow]: true });

/**
 * All skills and series of one SkillMetrics. Series are created on first use and kept for the
 * life of the process (their counters are cumulative); past the cardinality limit, new skills and
 * series are counted in one overflow series marked `otel.metric.overflow=true`, so totals stay right.
 */
export class SkillRegistry {
  readonly options: RegistryOptions;
  readonly #clock: Clock;
  readonly #skills = new Map<string, SkillState>();
  readonly #series = new Map<string, SeriesState>();
  readonly #metricAttributes: readonly string[];
  readonly #onNewSeries: ((series: SeriesState) => void) | undefined;
  #overflowSkill: SkillState | undefined;
  #warnedOverflow = false;

  /** `onNewSeries` is told of each series when it is made, the overflow series included, before anything is counted in it. */
  constructor(options: RegistryOptions, clock: Clock = SYSTEM_CLOCK, onNewSeries?: (series: SeriesState) => void) {
    this.options = options;
    this.#clock = clock;
    this.#metricAttributes = options.metricAttributes ?? [];
    this.#onNewSeries = onNewSeries;
  }

  /** The state of `skillId` (already validated), created on first use. */
  skill(skillId: string): SkillState {
    const existing = this.#skills.get(skillId);
    if (existing !== undefined) return existing;
    if (this.#isFull()) return this.#overflow();
    const skill = new SkillState(skillId, this.#newSeries(skillId, { [ATTR.skillId]: skillId }), this.options.healthWindowMs);
    this.#skills.set(skillId, skill);
    return skill;
  }

  /**
   * The series a call of `skill` for `identity` counts in: by skill, agent, the custom attributes
   * named in `metricAttributes` (the identity's over the tool's `toolAttributes`) and, with user
   * labels, user and org.
   */
  series(skill: SkillState, identity: Identity | undefined, toolAttributes?: Readonly<Record<string, CustomAttributeValue>>): SeriesState {
    if (!skill.isNamed) return skill.base;
    if (identity !== undefined && identity === skill.seriesMemoIdentity && toolAttributes === skill.seriesMemoTool)
      return skill.seriesMemoSeries as SeriesState;
    const series = this.#findSeries(skill, identity, toolAttributes);
    if (identity !== undefined && Object.isFrozen(identity)) {
      skill.seriesMemoIdentity = identity;
      skill.seriesMemoTool = toolAttributes;
      skill.seriesMemoSeries = series;
    }
    return series;
  }

  /** The series of a call, found or made by its key. */
  #findSeries(
    skill: SkillState,
    identity: Identity | undefined,
    toolAttributes?: Readonly<Record<string, CustomAttributeValue>>,
  ): SeriesState {
    const custom = this.#customAttributes(identity?.attributes, toolAttributes);
    if (identity === undefined && custom === undefined) return skill.base;
    const agentName = identity?.agentName;
    const userId = this.options.userLabels ? identity?.userId : undefined;
    const orgId = this.options.userLabels ? identity?.orgId : undefined;
    if (userId === undefined && orgId === undefined && agentName === undefined && custom === undefined) return skill.base;
    let key = `${skill.skillId}\u0000${userId ?? ''}\u0000${orgId ?? ''}\u0000${agentName ?? ''}`;
    // JSON keeps 1, '1' and true apart, as OpenTelemetry's attribute sets do.
    if (custom !== undefined) for (const name in custom) key += `\u0000${name}\u0000${JSON.stringify(custom[name])}`;
    const existing = this.#series.get(key);
    if (existing !== undefined) return existing;
    if (this.#isFull()) return this.#overflow().base;
    const attributes: Record<string, CustomAttributeValue> = { [ATTR.skillId]: skill.skillId as string };
    if (userId !== undefined) attributes[ATTR.userId] = userId;
    if (orgId !== undefined) attributes[ATTR.orgId] = orgId;
    if (agentName !== undefined) attributes[ATTR.agentName] = agentName;
    if (custom !== undefined) Object.assign(attributes, custom);
    return this.#newSeries(key, attributes);
  }

  /** The allow-listed custom attributes a call carries, in `metricAttributes` order; undefined for none. */
  #customAttributes(
    given: Readonly<Record<string, CustomAttributeValue>> | undefined,
    tool: Readonly<Record<string, CustomAttributeValue>> | undefined,
  ): Record<string, CustomAttributeValue> | undefined {
    const keys = this.#metricAttributes;
    if (keys.length === 0 || (given === undefined && tool === undefined)) return undefined;
    let custom: Record<string, CustomAttributeValue> | undefined;
    for (const key of keys) {
      const value = ownValue(given, key) ?? ownValue(tool, key);
      if (value === undefined) continue;
      custom ??= {};
      custom[key] = value;
    }
    return custom;
  }

  /** Every named skill, for the health gauge. */
  skills(): IterableIterator<SkillState> {
    return this.#skills.values();
  }

  /** Every series, the overflow series last if it exists. */
  *allSeries(): Generator<SeriesState> {
    yield* this.#series.values();
    if (this.#overflowSkill !== undefined) yield this.#overflowSkill.base;
  }

  #isFull(): boolean {
    // One place is kept for the overflow series itself, as OpenTelemetry's own limit does.
    return this.#series.size >= this.options.cardinalityLimit - 1;
  }

  #newSeries(key: string, attributes: Record<string, CustomAttributeValue>): SeriesState {
    const series = new SeriesState(attributes, this.#clock.now());
    this.#series.set(key, series);
    this.#onNewSeries?.(series);
    return series;
  }

  #overflow(): SkillState {
    if (!this.#warnedOverflow) {
      this.#warnedOverflow = true;
      log.warn(
        `more than ${this.options.cardinalityLimit} metric series; new skills and users are counted ` +
          'in the series labelled otel_metric_overflow="true". Raise ANALYTICS_CARDINALITY_LIMIT, or set ANALYTICS_USER_LABELS=false' +
          (this.#metricAttributes.length > 0 ? ' or name fewer keys in ANALYTICS_METRIC_ATTRIBUTES.' : '.'),
      );
    }
    if (this.#overflowSkill === undefined) {
      const series = new SeriesState(OVERFLOW_ATTRIBUTES, this.#clock.now());
      this.#overflowSkill = new SkillState(undefined, series, this.options.healthWindowMs);
      this.#onNewSeries?.(series);
    }
    return this.#overflowSkill;
  }
}

/** `record[key]` when it is the record's own (an allow-listed `constructor` is not Object's). */
function ownValue(record: Readonly<Record<string, CustomAttributeValue>> | undefined, key: string): CustomAttributeValue | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
