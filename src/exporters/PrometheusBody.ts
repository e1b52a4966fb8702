import type { ResourceMetrics, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { exposedName } from './prometheusText.js';
import { SkillScopeSerializer } from './SkillScopeSerializer.js';

/**
 * The @opentelemetry/exporter-prometheus versions whose serializer output the fast path was proven
 * equal to (test/exporters/PrometheusBody.test.ts, on each OpenTelemetry line). On any other
 * version the backend serves the stock exporter's body unchanged.
 */
export const VERIFIED_EXPORTER_VERSIONS: ReadonlySet<string> = new Set(['0.223.0', '0.301.0']);

/** What the stock serializer writes when there is no metric at all. */
const NO_METRICS = '# no registered metrics';

/** The part of OpenTelemetry's PrometheusSerializer this uses. */
export interface ResourceMetricsSerializer {
  serialize(resourceMetrics: ResourceMetrics): string;
}

/**
 * The /metrics body of the prometheus backend: byte for byte what OpenTelemetry's
 * PrometheusSerializer (default options) writes for the same collection. The skill metrics, nearly
 * all of the body, go through {@link SkillScopeSerializer}; target_info and every other scope go
 * through the stock serializer. The fast path is taken only where the stock layout is plain
 * concatenation: the skill scope comes last (metric producers are collected after the SDK's
 * meters) and none of its names is used elsewhere (the 3.x serializer groups same-named metrics
 * of different scopes into one family). Anything else is served by the stock serializer whole.
 */
export class PrometheusBody {
  readonly #stock: ResourceMetricsSerializer;
  readonly #isSkillScope: (scope: ScopeMetrics['scope']) => boolean;
  readonly #skills = new SkillScopeSerializer();

  /**
   * @param stock a `new PrometheusSerializer()` of the installed exporter package
   * @param isSkillScope true for the scope object of the skill metrics
   */
  constructor(stock: ResourceMetricsSerializer, isSkillScope: (scope: ScopeMetrics['scope']) => boolean) {
    this.#stock = stock;
    this.#isSkillScope = isSkillScope;
  }

  /** The Prometheus text of `resourceMetrics`. */
  serialize(resourceMetrics: ResourceMetrics): string {
    return this.#withFastPath(resourceMetrics) ?? this.#stock.serialize(resourceMetrics);
  }

  #withFastPath(resourceMetrics: ResourceMetrics): string | undefined {
    const { scopeMetrics } = resourceMetrics;
    const skills = scopeMetrics.at(-1);
    if (skills === undefined || !this.#isSkillScope(skills.scope)) return undefined;
    const others = scopeMetrics.slice(0, -1);
    if (!ownsItsNames(skills, others)) return undefined;
    const skillText = this.#skills.serialize(skills);
    if (skillText === undefined) return undefined;
    const head = this.#stock.serialize({ resource: resourceMetrics.resource, scopeMetrics: others });
    if (skillText === '') return head;
    // Every metric text ends in a line feed, so the marker can only be the whole of the metrics part.
    return head.endsWith(NO_METRICS) ? head.slice(0, -NO_METRICS.length) + skillText : head + skillText;
  }
}

/** True when every metric of `skills` has a valid exposed name used by no other metric. */
function ownsItsNames(skills: ScopeMetrics, others: readonly ScopeMetrics[]): boolean {
  const taken = new Set(['target_info']);
  for (const scope of others) {
    for (const metric of scope.metrics) {
      const name = exposedName(metric);
      if (name !== undefined) taken.add(name);
    }
  }
  for (const metric of skills.metrics) {
    const name = exposedName(metric);
    if (name === undefined || taken.has(name)) return false;
    taken.add(name);
  }
  return true;
}
