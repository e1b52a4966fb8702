import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import { ERROR_TYPES } from './errorTypes.js';
import { ATTR, EXECUTE_TOOL_BOUNDARIES_S, EXECUTE_TOOL_DURATION, GEN_AI, TOOL_TYPES, type ToolType } from './names.js';
import type { SeriesState } from './SeriesState.js';

/** Attribute sets per tool type (and one for calls of no known type): a success, then one per error type. */
const OUTCOMES = 1 + ERROR_TYPES.length;

/**
 * The GenAI conventions' `gen_ai.execute_tool.duration` histogram, recorded beside our own metrics
 * when the application opts in. Each call is recorded with the attributes of its series (tool
 * name, agent, the allow-listed custom attributes), its tool type and its error type, made once
 * per series, tool type and outcome and kept frozen, so a call allocates nothing.
 */
export class ExecuteToolDuration {
  readonly #histogram: Histogram;
  readonly #metricAttributes: readonly string[];
  readonly #attributes = new Map<SeriesState, (Attributes | undefined)[]>();

  /** Creates the histogram on `meter`; `metricAttributes` are the custom attribute keys series carry. */
  constructor(meter: Meter, metricAttributes: readonly string[]) {
    this.#histogram = meter.createHistogram(EXECUTE_TOOL_DURATION.name, {
      description: EXECUTE_TOOL_DURATION.description,
      unit: EXECUTE_TOOL_DURATION.unit,
      advice: { explicitBucketBoundaries: [...EXECUTE_TOOL_BOUNDARIES_S] },
    });
    this.#metricAttributes = metricAttributes;
  }

  /**
   * Records a call of `latencyMs` counted in `series`, of a tool of `toolType` (undefined when not
   * known, e.g. a call measured elsewhere): a failure of the error type at `errorType`, or a success (-1).
   */
  record(latencyMs: number, series: SeriesState, toolType: ToolType | undefined, errorType: number): void {
    let sets = this.#attributes.get(series);
    if (sets === undefined) {
      sets = [];
      this.#attributes.set(series, sets);
    }
    const typeSlot = toolType === undefined ? TOOL_TYPES.length : TOOL_TYPES.indexOf(toolType);
    const slot = typeSlot * OUTCOMES + errorType + 1;
    let attributes = sets[slot];
    if (attributes === undefined) {
      attributes = this.#attributesOf(series, toolType, errorType);
      sets[slot] = attributes;
    }
    this.#histogram.record(latencyMs / 1000, attributes);
  }

  /**
   * The spec's attributes for calls of `series`; the overflow series keeps only its marker (and the
   * error type), as OpenTelemetry's own overflow series does. User and org never: the spec has none.
   */
  #attributesOf(series: SeriesState, toolType: ToolType | undefined, errorType: number): Attributes {
    const ours = series.attributes;
    const attributes: Attributes = {};
    if (ours[ATTR.overflow] === true) attributes[ATTR.overflow] = true;
    else {
      attributes[GEN_AI.toolName] = ours[ATTR.skillId];
      if (toolType !== undefined) attributes[GEN_AI.toolType] = toolType;
      const agentName = ours[ATTR.agentName];
      if (agentName !== undefined) attributes[GEN_AI.agentName] = agentName;
      for (const key of this.#metricAttributes) if (ours[key] !== undefined) attributes[key] = ours[key];
    }
    if (errorType >= 0) attributes[GEN_AI.errorType] = ERROR_TYPES[errorType];
    return Object.freeze(attributes);
  }
}
