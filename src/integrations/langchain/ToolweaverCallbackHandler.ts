import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import { log } from '../../core/log.js';
import { defaultSkillMetrics } from '../../instruments/defaultSkillMetrics.js';
import type { OpenCall, SkillRecorder } from '../../instruments/SkillRecorder.js';
import { ToolInfo } from '../../instruments/toolInfo.js';
import { type LangChainOptions, type LangChainSettings, langChainSettings } from './options.js';
import { claimedByWrapper } from './wrappedRuns.js';

/** A tool run seen starting, until it ends: the recorder it is recorded into and its open call. */
interface OpenRun {
  readonly recorder: SkillRecorder;
  readonly call: OpenCall;
}

/** The mark of a run an instrumented tool's wrapper records, so that its end is not recorded twice. */
const WRAPPED = Symbol('recorded by instrumentTools');

/**
 * A LangChain callback handler that records every tool run of the chains, models and agents it is
 * given to (`callbacks: [handler]` in a config, which children inherit), for tools you cannot
 * wrap. Each run is recorded under the name LangChain gives it (the tool's name for `tool()` and
 * the Dynamic tools, else the run name or class name), timed from LangChain's tool-start callback
 * to its end or error callback, with the model's tool call id (from @langchain/core 1.1.28).
 * Unlike {@link instrumentTools} it cannot put its span around the tool's body, so spans the tool
 * makes are its siblings, not its children; it gets no description; and it never sees a run whose
 * arguments fail the schema, which LangChain rejects before it starts the run. A run of an
 * instrumented tool is left to the tool's wrapper: counted once. The handler runs inline
 * (`awaitHandlers`), so that its span starts in the tool's context; each callback is constant work.
 */
export class ToolweaverCallbackHandler extends BaseCallbackHandler {
  name = 'ToolweaverCallbackHandler';
  readonly #settings: LangChainSettings;
  /** The ToolInfo of each tool name seen. */
  readonly #tools = new Map<string, ToolInfo>();
  readonly #runs = new Map<string, OpenRun | typeof WRAPPED>();

  /** Throws a TypeError naming a bad option. */
  constructor(options: LangChainOptions = {}) {
    super({ ignoreLLM: true, ignoreChain: true, ignoreRetriever: true, ignoreCustomEvent: true, _awaitHandler: true });
    this.#settings = langChainSettings(options, 'new ToolweaverCallbackHandler()');
  }

  /** The same handler: its open runs must meet their ends, whichever copy LangChain holds. */
  override copy(): this {
    return this;
  }

  override handleToolStart(
    tool: Serialized,
    input: string,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string,
    toolCallId?: string,
  ): void {
    try {
      // The same handler given twice (inherited and local) hears one start twice.
      if (this.#runs.has(runId)) return;
      const callId = typeof toolCallId === 'string' && toolCallId !== '' ? toolCallId : undefined;
      if (claimedByWrapper(callId)) {
        this.#runs.set(runId, WRAPPED);
        return;
      }
      const name = runName ?? tool.id.at(-1) ?? 'tool';
      const recorder = (this.#settings.metrics ?? defaultSkillMetrics()).recorder;
      const skill = recorder.skill(name);
      this.#runs.set(runId, { recorder, call: recorder.open(skill, this.#toolInfo(name), callId, input) });
    } catch (error) {
      log.error('could not record the start of a LangChain tool run; the run itself is unaffected', error);
    }
  }

  override handleToolEnd(output: unknown, runId: string): void {
    const run = this.#take(runId);
    if (run === undefined) return;
    try {
      const { recorder, call } = run;
      const ended = recorder.clock.monotonic();
      const type = recorder.resultTypeOf(call.tool, output);
      if (type < 0) recorder.finish(call, false, undefined, output, ended);
      else recorder.finish(call, true, output, output, ended, type);
    } catch (error) {
      log.error('could not record the end of a LangChain tool run; the run itself is unaffected', error);
    }
  }

  override handleToolError(error: unknown, runId: string): void {
    const run = this.#take(runId);
    if (run === undefined) return;
    try {
      run.recorder.finish(run.call, true, error);
    } catch (recordError) {
      log.error('could not record the error of a LangChain tool run; the run itself is unaffected', recordError);
    }
  }

  /** The open run of `runId`, now closed; undefined for a run not seen or left to a wrapper. */
  #take(runId: string): OpenRun | undefined {
    const run = this.#runs.get(runId);
    this.#runs.delete(runId);
    return run === WRAPPED ? undefined : run;
  }

  #toolInfo(name: string): ToolInfo {
    let info = this.#tools.get(name);
    if (info === undefined) {
      info = new ToolInfo(name, this.#settings.wrapOptions, `ToolweaverCallbackHandler (${name})`);
      this.#tools.set(name, info);
    }
    return info;
  }
}
