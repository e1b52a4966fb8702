import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { NoAnswerError, probeHttp } from '../../src/cli/commands/setup/httpProbe.js';

describe('the status probe', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('gives up at its timeout on a server that drips one byte at a time', async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined); // the probe hangs up mid-drip
      const answer = `HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n${'x'.repeat(100)}`;
      let sent = 0;
      // One byte every 100 ms, stopping by itself after 4 s.
      const drip = setInterval(() => {
        if (sent >= answer.length || sent >= 40) {
          clearInterval(drip);
          socket.destroy();
          return;
        }
        socket.write(answer[sent++]!);
      }, 100);
      socket.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const started = Date.now();
    await assert.rejects(
      probeHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'GET', timeoutMs: 300 }),
      (error) => error instanceof NoAnswerError && /no answer within 300 ms/.test(error.message),
    );
    assert.ok(Date.now() - started < 2000, 'a deadline, not an idle timeout');
  });
});
