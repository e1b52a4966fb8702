import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { QueryAuthError, QueryConnectionError, QueryRequestError } from '../../../src/core/errors.js';
import { leaderboard } from '../../../src/reports/leaderboards.js';
import { PrometheusSource } from '../../../src/reports/prometheus/PrometheusSource.js';
import { freePort } from '../../helpers/freePort.js';

/** A loopback HTTP server answering every request with `reply`, keeping what it was sent. */
async function answering(reply: (url: string) => { status: number; body: string } | 'hang'): Promise<{
  url: string;
  seen: { url: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}> {
  const seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      const answer = reply(req.url ?? '');
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const NAMES = JSON.stringify({ status: 'success', data: ['toolweaver_skill_executions_total', 'toolweaver_skill_success_total'] });

describe('PrometheusSource', () => {
  it('refuses a URL that is not http(s), a user without a token and a bad timeout, naming the fix', () => {
    assert.throws(
      () => new PrometheusSource({ url: 'localhost:9090' }),
      /option "url" must be the http\(s\) URL of a Prometheus query API/,
    );
    assert.throws(() => new PrometheusSource({ url: 'ftp://127.0.0.1/' }), /http\(s\) URL/);
    assert.throws(() => new PrometheusSource({ url: 'http://127.0.0.1:9090', user: '1234' }), /a "user" needs a "token"/);
    assert.throws(
      () => new PrometheusSource({ url: 'http://127.0.0.1:9090', timeoutMs: 0 }),
      /"timeoutMs" must be a number of milliseconds > 0/,
    );
    assert.throws(() => new PrometheusSource(undefined as never), /options must be an object with a "url"/);
  });

  it('cuts a URL back to the API base and never shows the credentials, in the url, JSON or inspect', () => {
    const source = new PrometheusSource({ url: 'https://1234:glc_secret@prom.example.net/api/prom/api/v1/query?x=1#frag' });
    assert.equal(source.url, 'https://prom.example.net/api/prom?x=[REDACTED]');
    for (const shown of [source.url, JSON.stringify(source), inspect(source)]) assert.doesNotMatch(shown, /glc_secret|1234/);
  });

  it('sends Basic auth for a user and token, Bearer for a token alone, nothing otherwise', async () => {
    const server = await answering(() => ({ status: 200, body: NAMES }));
    try {
      await new PrometheusSource({ url: server.url, user: '1234', token: 'glc_secret' }).names('{}', 0, 1000);
      await new PrometheusSource({ url: server.url, token: 'bearer_secret' }).names('{}', 0, 1000);
      await new PrometheusSource({ url: server.url.replace('//', '//9876:in_url@') }).names('{}', 0, 1000);
      await new PrometheusSource({ url: `${server.url}/?tenant=team-a` }).names('{}', 0, 1000);
      assert.match(server.seen.at(-1)!.url, /^\/api\/v1\/label\/__name__\/values\?tenant=team-a&match%5B%5D=/);
      assert.deepEqual(
        server.seen.map((request) => request.headers.authorization),
        [
          `Basic ${Buffer.from('1234:glc_secret').toString('base64')}`,
          'Bearer bearer_secret',
          `Basic ${Buffer.from('9876:in_url').toString('base64')}`,
          undefined,
        ],
      );
    } finally {
      await server.close();
    }
  });

  it('a 401 is a QueryAuthError that says which credentials to set and shows none of them', async () => {
    const server = await answering(() => ({ status: 401, body: 'Unauthorized' }));
    try {
      const source = new PrometheusSource({ url: server.url, user: '1234', token: 'glc_secret' });
      const error = await leaderboard(source, { metric: 'usage' }).then(
        () => assert.fail('resolved'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof QueryAuthError);
      assert.equal(error.status, 401);
      assert.match(error.message, /refused the request \(HTTP 401, sent basic auth as user 1234\): set the query user and token/);
      assert.match(error.message, /metrics:read/);
      assert.doesNotMatch(error.message + inspect(error), /glc_secret/);
    } finally {
      await server.close();
    }
  });

  it('a dead URL is a QueryConnectionError naming the URL; a store that never answers one naming the timeout', async () => {
    const port = await freePort();
    const dead = await leaderboard(new PrometheusSource({ url: `http://127.0.0.1:${port}` }), { metric: 'usage' }).catch((e: unknown) => e);
    assert.ok(dead instanceof QueryConnectionError);
    assert.match(dead.message, new RegExp(`at http://127\\.0\\.0\\.1:${port}/api/v1/label/__name__/values \\(connection refused\\)`));
    const server = await answering(() => 'hang');
    try {
      const slow = await leaderboard(new PrometheusSource({ url: server.url, timeoutMs: 200 }), { metric: 'usage' }).catch(
        (e: unknown) => e,
      );
      assert.ok(slow instanceof QueryConnectionError);
      assert.match(slow.message, /no answer within 200 ms.*raise the timeout \(ANALYTICS_QUERY_TIMEOUT, option timeoutMs\)/);
    } finally {
      await server.close();
    }
  });

  it('an answer that is not the API JSON, or an API error, is a QueryRequestError with what was wrong', async () => {
    const html = await answering(() => ({ status: 200, body: '<html>Grafana</html>' }));
    const failing = await answering((url) =>
      url.startsWith('/api/v1/label')
        ? { status: 200, body: NAMES }
        : {
            status: 422,
            body: JSON.stringify({ status: 'error', errorType: 'execution', error: 'query processing would load too many samples' }),
          },
    );
    try {
      const notApi = await leaderboard(new PrometheusSource({ url: html.url }), { metric: 'usage' }).catch((e: unknown) => e);
      assert.ok(notApi instanceof QueryRequestError);
      assert.match(notApi.message, /not the JSON of a Prometheus query API: check the URL .*\/api\/prom/);
      const refused = await leaderboard(new PrometheusSource({ url: failing.url }), { metric: 'usage' }).catch((e: unknown) => e);
      assert.ok(refused instanceof QueryRequestError);
      assert.match(refused.message, /answered HTTP 422: execution: query processing would load too many samples/);
      assert.equal(refused.status, 422);
    } finally {
      await html.close();
      await failing.close();
    }
  });

  it('counts its requests: a report over a store with none of our metrics costs one and says so', async () => {
    const server = await answering(() => ({ status: 200, body: JSON.stringify({ status: 'success', data: [] }) }));
    try {
      const source = new PrometheusSource({ url: server.url });
      await assert.rejects(
        leaderboard(source, { metric: 'usage' }),
        /holds none of our metrics \(toolweaver_skill_\*\) between .* UTC: no application exported/,
      );
      assert.equal(source.queries, 1);
    } finally {
      await server.close();
    }
  });
});
