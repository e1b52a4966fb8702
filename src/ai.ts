/**
 * `toolweaver-analytics/ai`: the Vercel AI SDK (`ai`, an optional peer dependency this entry never
 * imports). `instrumentTools(tools)` records every tool the SDK runs, as `wrap()` records a function.
 */
export { instrumentTools } from './integrations/ai/instrumentTools.js';
export type { InstrumentToolsOptions } from './integrations/ai/instrumentTools.js';
