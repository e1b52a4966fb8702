import { context } from '@opentelemetry/api';
import { log } from '../../core/log.js';
import { defaultSkillMetrics } from '../../instruments/defaultSkillMetrics.js';
import { currentIdentity } from '../../instruments/identity.js';
import type { SkillMetrics } from '../../instruments/SkillMetrics.js';
import type { ToolInfo } from '../../instruments/toolInfo.js';
import { type CallSpan, NO_RESULT } from '../../instruments/toolSpans.js';

/**
 * Runs `serve` (which returns a promise) as a call of `tool` that makes its span and counts
 * nowhere: the server side of a call that an instrumented client of this process already counts.
 * The span is the one `lateBoundWrap` would make, on the same TracerProvider.
 */
export function spanOnly(
  metrics: SkillMetrics | undefined,
  tool: ToolInfo,
  serve: (this: unknown, ...args: unknown[]) => Promise<unknown>,
  thisArg: unknown,
  args: unknown[],
): Promise<unknown> {
  let opened: { call: CallSpan; end(errorType: number, error: unknown, result: unknown): void } | undefined;
  let recorder: SkillMetrics['recorder'] | undefined;
  try {
    recorder = (metrics ?? defaultSkillMetrics()).recorder;
    const tracer = recorder.spans.tracer();
    if (tracer !== undefined) {
      const { spans, clock } = recorder;
      const call = spans.start(
        tracer,
        tool,
        tool.identityFor(currentIdentity()),
        tool.callIdFrom(thisArg, args),
        args.length === 1 ? args[0] : args,
        clock.monotonic(),
        thisArg,
      );
      opened = {
        call,
        end(errorType, error, result) {
          try {
            spans.end(call, clock.monotonic(), errorType, error, result);
          } catch (spanError) {
            log.once('mcp-span-end', 'error', 'could not end the span of an MCP call; the call itself is unaffected', spanError);
          }
        },
      };
    }
  } catch (spanError) {
    log.once('mcp-span-start', 'error', 'could not start the span of an MCP call; the call itself is unaffected', spanError);
  }
  if (opened === undefined || recorder === undefined) return Reflect.apply(serve, thisArg, args);
  const { call, end } = opened;
  const typer = recorder;
  let served: Promise<unknown>;
  try {
    served = context.with(call.context, Reflect.apply, undefined, serve, thisArg, args);
  } catch (error) {
    end(typer.errorTypeOf(error, tool.classify), error, NO_RESULT);
    throw error;
  }
  return served.then(
    (result) => {
      const type = typer.resultTypeOf(tool, result);
      end(type, type >= 0 ? result : undefined, result);
      return result;
    },
    (error: unknown) => {
      end(typer.errorTypeOf(error, tool.classify), error, NO_RESULT);
      throw error;
    },
  );
}
