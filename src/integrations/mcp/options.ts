import type { ErrorClassifier } from '../../instruments/errorTypes.js';
import { isSkillMetrics } from '../isSkillMetrics.js';
import type { ResultClassifier } from '../../instruments/failureResults.js';
import type { CustomAttributeValue } from '../../instruments/identity.js';
import type { ToolType } from '../../instruments/names.js';
import type { SkillMetrics } from '../../instruments/SkillMetrics.js';
import { ToolInfo } from '../../instruments/toolInfo.js';

/** The params of one tools/call request, as the `callIdOf` option is given them. */
export interface McpToolCall {
  readonly name: string;
  readonly arguments?: Record<string, unknown> | undefined;
  readonly _meta?: Record<string, unknown> | undefined;
}

/** Options of {@link instrumentMcpClient}, and of {@link instrumentMcpServer} beside its own. */
export interface McpOptions {
  /**
   * Where calls are recorded. @default the most recently started `startAnalytics()` that is still
   * running (else a SkillMetrics over the global MeterProvider), looked up at each call
   */
  metrics?: SkillMetrics;
  /** `gen_ai.tool.type` of the spans (and of the semconv metric): an MCP tool is an `extension`. @default 'extension' */
  toolType?: ToolType;
  /** The agent the calls are attributed to when no `withContext` names one. @default none (a server: see `agentFromClient`) */
  agentName?: string;
  /** Custom attributes of the spans (and of the metrics for keys named in `metricAttributes`). @default none */
  attributes?: Record<string, CustomAttributeValue>;
  /**
   * Names the error type of a failure: a thrown error (an `McpError` on a client) or a
   * `CallToolResult` with `isError: true`. @default the SkillMetrics' classifier, then the JSON-RPC
   * error code (docs/integrations.md#mcp), then the built-in rules
   */
  classifyError?: ErrorClassifier;
  /** Says which results are failures (docs/genai.md). @default a result with `isError: true` is one */
  failureOf?: ResultClassifier;
  /**
   * Reads a call's id (`gen_ai.tool.call.id`) from the request's params, e.g. the model's tool call
   * id the agent puts in `_meta`. A hook that throws or returns no non-empty string gives no id. @default none
   */
  callIdOf?: (call: McpToolCall) => unknown;
}

/** Options of {@link instrumentMcpServer}. */
export interface McpServerOptions extends McpOptions {
  /**
   * Attribute each call to the agent named by the client's `clientInfo.name` from initialize, when
   * neither `withContext` nor `agentName` names one (a name that cannot be an agent name, e.g. over
   * 128 characters, is left out). @default true
   */
  agentFromClient?: boolean;
}

/** {@link McpServerOptions} checked: what every call of one instrumented client or server uses. */
export interface McpSettings {
  readonly metrics: SkillMetrics | undefined;
  readonly toolType: ToolType;
  readonly agentName: string | undefined;
  readonly attributes: Record<string, CustomAttributeValue> | undefined;
  readonly classifyError: ErrorClassifier | undefined;
  readonly failureOf: ResultClassifier | undefined;
  readonly callIdOf: ((call: McpToolCall) => unknown) | undefined;
  readonly agentFromClient: boolean;
}

const CLIENT_OPTIONS = ['metrics', 'toolType', 'agentName', 'attributes', 'classifyError', 'failureOf', 'callIdOf'] as const;
const SERVER_OPTIONS = [...CLIENT_OPTIONS, 'agentFromClient'] as const;

/**
 * `options` checked for `where` (`instrumentMcpClient` or `instrumentMcpServer`): a TypeError names
 * the first option that cannot be used, and what to pass instead.
 */
export function mcpSettings(options: unknown, where: 'instrumentMcpClient' | 'instrumentMcpServer'): McpSettings {
  const call = `${where}(${where === 'instrumentMcpClient' ? 'client' : 'server'}, options)`;
  if (options === null || typeof options !== 'object')
    throw new TypeError(
      `${call}: options must be an object such as { agentName: 'planner' }, got ${options === null ? 'null' : typeof options}`,
    );
  const allowed: readonly string[] = where === 'instrumentMcpClient' ? CLIENT_OPTIONS : SERVER_OPTIONS;
  for (const key of Object.keys(options))
    if (!allowed.includes(key))
      throw new TypeError(`${call}: ${JSON.stringify(key)} is not an option; the options are ${allowed.join(', ')}`);
  const given = options as McpServerOptions;
  const { metrics, toolType = 'extension', agentName, attributes, classifyError, failureOf, callIdOf, agentFromClient = true } = given;
  if (metrics !== undefined && !isSkillMetrics(metrics))
    throw new TypeError(
      `${call}: metrics must be a SkillMetrics, such as analytics.skills of startAnalytics(), got ${metrics === null ? 'null' : typeof metrics}`,
    );
  if (typeof agentFromClient !== 'boolean')
    throw new TypeError(`${call}: agentFromClient must be true or false, got ${JSON.stringify(agentFromClient)}`);
  // The wrap options a tool is built from, checked now by building one: the same messages as wrap()'s.
  const probe = new ToolInfo('probe', { toolType, agentName, attributes, classifyError, failureOf, callIdOf }, call);
  return {
    metrics,
    toolType,
    agentName,
    attributes: probe.attributes === undefined ? undefined : { ...probe.attributes },
    classifyError,
    failureOf,
    callIdOf,
    agentFromClient,
  };
}
