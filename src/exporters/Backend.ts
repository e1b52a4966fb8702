import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MetricReader } from '@opentelemetry/sdk-metrics';
import type { BackendName } from '../config/types.js';

/** One configured backend: its reader and what a person needs to find the data. */
export interface Backend {
  readonly name: BackendName;
  readonly reader: MetricReader;
  /** Resolves when the backend can take data (a listening /metrics server); rejects with a clear error. */
  readonly ready: Promise<void>;
  /** Where to look, e.g. `http://127.0.0.1:9464/metrics`; secrets never appear here. */
  describe(): string;
  /** The `/metrics` request handler, to mount on the application's own server (prometheus only). */
  readonly metricsHandler?: (request: IncomingMessage, response: ServerResponse) => void;
  /** Writes now, synchronously, what can be (sqlite only); `final` as the process ends. */
  readonly flushSync?: (final: boolean) => void;
}
