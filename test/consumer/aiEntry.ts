// toolweaver-analytics/ai in an application without `ai` installed (the consumer test installs no
// `ai`): the entry's declarations resolve with skipLibCheck off and it runs, since it never imports
// the SDK. A tools object written by hand, in the SDK's shape, is recorded like one of tool().
import { startAnalytics } from 'toolweaver-analytics';
import { instrumentTools, type InstrumentToolsOptions } from 'toolweaver-analytics/ai';

const analytics = startAnalytics({ env: {}, backends: [] });
try {
  const options: InstrumentToolsOptions = { agentName: 'consumer' };
  const given = {
    echo: { description: 'Echoes', inputSchema: {}, execute: async (input: { text: string }) => input.text },
    confirm: { description: 'Run by the client', inputSchema: {} },
  };
  const tools: typeof given = instrumentTools(given, options);
  const said = await tools.echo.execute({ text: 'hi' });
  if (said !== 'hi') throw new Error(`ai: execute returned ${JSON.stringify(said)}`);
  if (tools.confirm !== given.confirm) throw new Error('ai: a tool without execute was replaced');
  const calls = analytics.skills.health('echo').calls;
  if (calls !== 1) throw new Error(`ai: ${calls} calls of echo recorded, not 1`);
  console.log('ok - toolweaver-analytics/ai without ai installed');
} finally {
  await analytics.shutdown();
}
