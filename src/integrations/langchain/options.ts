import { SkillMetrics } from '../../instruments/SkillMetrics.js';
import { ToolInfo, type WrapOptions } from '../../instruments/toolInfo.js';
import { langChainClassifier } from './toolInputErrors.js';

/**
 * Settings of {@link instrumentTools} and {@link ToolweaverCallbackHandler}: where the calls are
 * recorded and what describes them. Each tool's name, description and call id come from LangChain.
 */
export interface LangChainOptions extends Pick<WrapOptions, 'toolType' | 'agentName' | 'attributes' | 'failureOf'> {
  /** Record into this SkillMetrics, e.g. `analytics.skills`. @default the running startAnalytics(), else the global MeterProvider, looked up at each call */
  metrics?: SkillMetrics;
  /**
   * Names the error type of a failure first; `undefined` falls back to ours: LangChain's
   * ToolInputParsingException (arguments that do not match the tool's schema) is `validation`,
   * then the SkillMetrics' classifier, then the built-in rules. @default none
   */
  classifyError?: WrapOptions['classifyError'];
}

/** The options checked once: where to record, and the wrap options every tool shares. */
export interface LangChainSettings {
  readonly metrics: SkillMetrics | undefined;
  /** The wrap options of every tool, before its own description and call id. */
  readonly wrapOptions: Readonly<WrapOptions>;
}

const ACCEPTED = ['metrics', 'toolType', 'agentName', 'attributes', 'classifyError', 'failureOf'];

/** What a wrap option we do not take says instead. */
const NOT_TAKEN: Record<string, string> = {
  toolDescription: "each tool's own description is its gen_ai.tool.description",
  callIdOf: "the call id is the model's tool call id, read from the ToolCall LangChain passes",
  streams: 'LangChain consumes a stream a tool returns itself, so its result reaches the recording as one value',
};

/** Checks `options` (`where` names the call for the message); throws a TypeError naming a bad option. */
export function langChainSettings(options: LangChainOptions, where: string): LangChainSettings {
  if (options === null || typeof options !== 'object')
    throw new TypeError(
      `${where}: options must be an object such as { agentName: 'planner' }, got ${options === null ? 'null' : typeof options}`,
    );
  for (const key of Object.keys(options)) {
    if (ACCEPTED.includes(key)) continue;
    const instead = NOT_TAKEN[key];
    throw new TypeError(
      instead === undefined
        ? `${where}: unknown option ${JSON.stringify(key)}; the options are ${ACCEPTED.join(', ')}`
        : `${where}: the option ${key} is not taken here: ${instead}`,
    );
  }
  const { metrics, classifyError, ...shared } = options;
  if (metrics !== undefined && !(metrics instanceof SkillMetrics))
    throw new TypeError(
      `${where}: metrics must be a SkillMetrics, such as analytics.skills of startAnalytics(), got ${metrics === null ? 'null' : typeof metrics}`,
    );
  if (classifyError !== undefined && typeof classifyError !== 'function')
    throw new TypeError(`${where}: classifyError must be a function, got ${typeof classifyError}`);
  const wrapOptions: WrapOptions = { ...shared, classifyError: langChainClassifier(classifyError, metrics), streams: false };
  // Every other option is checked now, as the tools' own ToolInfo will check it, so a bad one fails here.
  new ToolInfo('langchain', wrapOptions, where);
  return { metrics, wrapOptions: Object.freeze(wrapOptions) };
}
