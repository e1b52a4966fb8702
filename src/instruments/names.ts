/**
 * Every metric and attribute name this package emits. Nothing else spells them.
 *
 * Naming rule: a name must come out identical on a scraped Prometheus and on Grafana Cloud through
 * OTLP, so one PromQL serves both. Grafana appends a unit word to a name that lacks it, `_total` to
 * monotonic sums and `_ratio` to gauges of unit "1"; the OTel JS Prometheus exporter appends only
 * `_total`. So counters already end in `_total`, the latency histogram already ends in its unit
 * word, and every other unit is a curly-brace annotation, which both sides drop.
 */

/** The one Meter (and instrumentation scope) all our instruments live in. */
export const METER_NAME = 'toolweaver-analytics';

/** Description of one metric. */
export interface MetricName {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
}

export const EXECUTIONS: MetricName = {
  name: 'toolweaver_skill_executions_total',
  description: 'Skill calls, successful or not.',
  unit: '{execution}',
};

export const SUCCESSES: MetricName = {
  name: 'toolweaver_skill_success_total',
  description: 'Skill calls that returned without error.',
  unit: '{execution}',
};

export const FAILURES: MetricName = {
  name: 'toolweaver_skill_failures_total',
  description: 'Skill calls that threw or rejected, by error_type.',
  unit: '{execution}',
};

export const INSTALLS: MetricName = {
  name: 'toolweaver_skill_installs_total',
  description: 'Skill installs.',
  unit: '{install}',
};

export const LATENCY: MetricName = {
  name: 'toolweaver_skill_latency_milliseconds',
  description: 'Duration of skill calls in milliseconds, by outcome.',
  unit: 'ms',
};

export const RATING: MetricName = {
  name: 'toolweaver_skill_rating',
  description: 'User ratings of skills, 1 to 5 stars.',
  unit: '{star}',
};

export const HEALTH: MetricName = {
  name: 'toolweaver_skill_health_score',
  description: 'Skill health 0-100 from success rate, p95 latency, rating and usage over a rolling window.',
  unit: '{score}',
};

/**
 * The GenAI semantic conventions' tool-call histogram (status Development), recorded beside ours
 * when `OTEL_SEMCONV_STABILITY_OPT_IN` names `gen_ai_latest_experimental`. The one exception to the
 * naming rule above, since the spec names it: a scraped Prometheus shows
 * `gen_ai_execute_tool_duration`, Grafana Cloud through OTLP `gen_ai_execute_tool_duration_seconds`
 * (docs/genai.md gives PromQL that reads both).
 */
export const EXECUTE_TOOL_DURATION: MetricName = {
  name: 'gen_ai.execute_tool.duration',
  description: 'The duration of a single tool execution.',
  unit: 's',
};

/** The bucket upper bounds in seconds the spec gives {@link EXECUTE_TOOL_DURATION}. */
export const EXECUTE_TOOL_BOUNDARIES_S: readonly number[] = Object.freeze([
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
]);

/** Attribute (label) names. */
export const ATTR = {
  skillId: 'skill_id',
  errorType: 'error_type',
  outcome: 'outcome',
  userId: 'user_id',
  orgId: 'org_id',
  /** The agent that made the call (withContext or the wrap's `agentName`); only on series of calls that name one. */
  agentName: 'agent_name',
  /** OpenTelemetry's marker for the series that collects everything past the cardinality limit. */
  overflow: 'otel.metric.overflow',
} as const;

/** Values of the `outcome` attribute on the latency histogram. */
export const OUTCOME = { success: 'success', failure: 'failure' } as const;

const LATENCY_BOUNDS = [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000] as const;
const RATING_BOUNDS = [1, 2, 3, 4, 5] as const;

/** {@link LATENCY_BOUNDARIES_MS} as a tuple of literals: the types of the per-call columns (perCallColumns.ts) follow it. */
export type LatencyBoundaries = typeof LATENCY_BOUNDS;
/** {@link RATING_BOUNDARIES} as a tuple of literals. */
export type RatingBoundaries = typeof RATING_BOUNDS;

/**
 * Latency bucket upper bounds in ms, chosen for tool calls: a cache hit (1 ms) to a slow model
 * or crawl (60 s), about 2.5x apart so p95 interpolation stays within one bucket's error.
 */
export const LATENCY_BOUNDARIES_MS: readonly number[] = Object.freeze(LATENCY_BOUNDS);

/** Rating bucket upper bounds: one bucket per star, so the distribution reads off directly. */
export const RATING_BOUNDARIES: readonly number[] = Object.freeze(RATING_BOUNDS);

/**
 * The OpenTelemetry GenAI semantic conventions (status Development) our spans and the opt-in
 * semconv metric use; docs/genai.md maps our names to them.
 */
export const GEN_AI = {
  operationName: 'gen_ai.operation.name',
  /** The value of `gen_ai.operation.name` on a tool call's span. */
  executeTool: 'execute_tool',
  toolName: 'gen_ai.tool.name',
  toolType: 'gen_ai.tool.type',
  toolCallId: 'gen_ai.tool.call.id',
  toolDescription: 'gen_ai.tool.description',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
  agentName: 'gen_ai.agent.name',
  conversationId: 'gen_ai.conversation.id',
  errorType: 'error.type',
  /** The user a call was made for, on spans only when the application opts in (personal data). */
  userId: 'user.id',
  /** The org a call was made for: no convention names one, so it is ours. */
  orgId: 'toolweaver.org.id',
} as const;

/** The values of `gen_ai.tool.type`: a function the agent runs, an extension (an MCP server's tool), a datastore. */
export const TOOL_TYPES = ['function', 'extension', 'datastore'] as const;

/** One value of `gen_ai.tool.type`. */
export type ToolType = (typeof TOOL_TYPES)[number];

/** The tracer (instrumentation scope) our spans come from. */
export const TRACER_NAME = 'toolweaver-analytics';

/**
 * The OpenTelemetry MCP conventions (docs/gen-ai/mcp.md, status Development) the spans of
 * `toolweaver-analytics/mcp` follow, and the attributes and `_meta` key of ours it adds.
 */
export const MCP = {
  methodName: 'mcp.method.name',
  /** The method of a tool call, and the first word of its spans' names. */
  toolsCall: 'tools/call',
  toolsList: 'tools/list',
  sessionId: 'mcp.session.id',
  protocolVersion: 'mcp.protocol.version',
  requestId: 'jsonrpc.request.id',
  responseStatusCode: 'rpc.response.status_code',
  /** The span's `error.type` of a CallToolResult with `isError: true`, as the conventions say. */
  toolError: 'tool_error',
  /** The name the server gave in initialize, on the client's spans: no convention names it, so it is ours. */
  serverName: 'toolweaver.mcp.server.name',
  /** The name the client gave in initialize, on the server's spans. */
  clientName: 'toolweaver.mcp.client.name',
  /** The `params._meta` key by which an instrumented client tells a server of its own process that it records the call. */
  recordedBy: 'toolweaver-analytics/recorded-by',
} as const;
