// Scenario: the cost of a wrapped async failure call above the bare call, ours (startAnalytics with the sqlite or the
// prometheus backend, and over the application's own MeterProvider) against hand-written OpenTelemetry making the
// same three recordings, prom-client reported beside it, with 10, 1,000 and 10,000 skill ids (bench/lib/callScenario.ts).
import { callScenario } from './lib/callScenario.js';

console.log(JSON.stringify(await callScenario('async failure')));
