import { AsyncLocalStorage } from 'node:async_hooks';
import { processWide } from '../../core/processWide.js';

/** A run of an instrumented tool, from its wrapper's start until a callback handler sees LangChain start it. */
interface WrappedRun {
  readonly callId: string | undefined;
  claimed: boolean;
}

/** The wrapped run the current async context is inside, if any: one per process, across copies of the package. */
const current = processWide<AsyncLocalStorage<WrappedRun>>('langchain-wrapped-run', () => new AsyncLocalStorage<WrappedRun>());

/** Runs `fn`, the body of an instrumented tool's run with the model's call id `callId`, as a wrapped run. */
export function runWrapped<T>(callId: string | undefined, fn: () => T): T {
  return current.run({ callId, claimed: false }, fn);
}

/**
 * True when the tool run a callback handler sees starting is an instrumented tool's own run, which
 * its wrapper records: the first tool start inside a wrapped run (LangChain starts a tool's run
 * before its body runs), unless both know a call id and the ids differ. A tool run started later
 * in the same run, by the tool's body, is another tool's.
 */
export function claimedByWrapper(toolCallId: string | undefined): boolean {
  const run = current.getStore();
  if (run === undefined || run.claimed) return false;
  if (run.callId !== undefined && toolCallId !== undefined && run.callId !== toolCallId) return false;
  run.claimed = true;
  return true;
}
