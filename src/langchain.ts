/**
 * `toolweaver-analytics/langchain`: records the tool runs of LangChain.js agents and chains
 * (@langchain/core 1.x, an optional peer dependency that only this entry needs).
 * {@link instrumentTools} wraps the tools, so each run happens inside its `execute_tool` span;
 * {@link ToolweaverCallbackHandler} records the tool runs of whatever it is given to, without a
 * span around the tool's body. docs/integrations.md#langchainjs compares them.
 */
export { instrumentTools } from './integrations/langchain/instrumentTools.js';
export { ToolweaverCallbackHandler } from './integrations/langchain/ToolweaverCallbackHandler.js';
export type { LangChainOptions } from './integrations/langchain/options.js';
