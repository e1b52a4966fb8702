import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { loadConfigFor } from '../../src/config/loadConfig.js';
import { GrafanaConnectionError } from '../../src/core/errors.js';
import { provisionGrafana } from '../../src/grafana/provisionGrafana.js';

const DRIP_EVERY_MS = 200;
const DRIP_BYTES = 20;
/** How long the server drips before it stops by itself: the time a hung client would wait. */
const DRIP_TOTAL_MS = DRIP_EVERY_MS * DRIP_BYTES;
const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n';
/** A valid answer, for a server that would finish it if it dripped long enough. */
const ANSWER = `${HEAD}${' '.repeat(100)}`;

interface DrippingServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A loopback server that accepts, sends the first `atOnce` bytes of a valid answer, then the rest
 * one byte every 200 ms: never idle long enough for a socket idle timeout. It stops by itself
 * after {@link DRIP_BYTES} dripped bytes.
 */
async function startDrippingServer(atOnce: number): Promise<DrippingServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.write(ANSWER.slice(0, atOnce));
    let sent = 0;
    const timer = setInterval(() => {
      if (sent >= DRIP_BYTES) return socket.destroy();
      socket.write(ANSWER.charAt(atOnce + sent++));
    }, DRIP_EVERY_MS);
    socket.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('GRAFANA_TIMEOUT', function () {
  this.timeout(DRIP_TOTAL_MS * 3);
  let server: DrippingServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  for (const [phase, atOnce] of [
    ['its headers', 0],
    ['its body', HEAD.length],
  ] as const) {
    it(`gives up on a Grafana that drips ${phase} one byte at a time, once the deadline has passed`, async () => {
      server = await startDrippingServer(atOnce);
      const grafana = loadConfigFor('api', {
        GRAFANA_URL: server.url,
        GRAFANA_TIMEOUT: '500',
        ANALYTICS_DB_PATH: '/srv/analytics.db',
      }).grafana;
      const started = Date.now();
      await assert.rejects(provisionGrafana({ grafana, onWarning: () => undefined }), (error: unknown) => {
        assert.ok(error instanceof GrafanaConnectionError, String(error));
        assert.match(error.message, /\(no answer within 500 ms\): check GRAFANA_URL .*, or raise GRAFANA_TIMEOUT\.$/);
        return true;
      });
      const waited = Date.now() - started;
      assert.ok(waited < DRIP_TOTAL_MS / 2, `waited ${waited} ms, while the server dripped for ${DRIP_TOTAL_MS} ms`);
    });
  }
});
