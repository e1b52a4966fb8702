// Scenario: the cost of a wrapped sync call above the bare call, against prom-client and hand-written
// OpenTelemetry doing the same three recordings, with 10, 1,000 and 10,000 skill ids (bench/lib/callScenario.ts).
import { callScenario } from './lib/callScenario.js';

console.log(JSON.stringify(await callScenario('sync')));
