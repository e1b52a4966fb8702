import { createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on `host` by listening on port 0 and closing again.
 *
 * Use it only for servers that cannot report the port they bound: the Prometheus binary, and
 * `PrometheusExporter`, which turns `port: 0` into its default 9464 (`config.port || 9464`).
 * Another process may take the port between this call and the bind; callers that can detect
 * "address already in use" should retry with a new port.
 *
 * @param host interface to probe. @default '127.0.0.1'
 * @returns a port number that was free a moment ago
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => {
        if (port === undefined) reject(new Error(`freePort: could not read the port bound on ${host}`));
        else resolve(port);
      });
    });
  });
}
