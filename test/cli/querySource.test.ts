import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../helpers/freePort.js';
import { cli, expectExit, fixtureDatabase, useWorkDirectory, type CliRun } from './cli.js';

const TOKEN = 'glc_queryTokenThatMustNeverPrint_7731';
const PASSWORD = 'urlPasswordThatMustNeverPrint_9902';

/** A loopback HTTP server that answers every request with `status` and a body, keeping each request's path and headers. */
interface Recorder {
  readonly url: string;
  readonly requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

async function answering(status: number, body: Record<string, unknown> | ((headers: IncomingHttpHeaders) => unknown)): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const server: Server = createServer((request, response) => {
    requests.push({ path: request.url ?? '', headers: request.headers });
    request.resume();
    const answer = typeof body === 'function' ? body(request.headers) : body;
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What the CLI printed, on both streams. */
const printed = (run: CliRun): string => run.stdout + run.stderr;

describe('toolweaver-analytics reports from a query API: refusals and errors', () => {
  const cwd = useWorkDirectory();
  let server: Recorder | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('refuses adoption, recommend and leaderboard --by-agent with a query URL, before any request, saying they need SQLite', async () => {
    server = await answering(200, { status: 'success', data: [] });
    const db = await fixtureDatabase(cwd());
    const commands = [['adoption'], ['recommend', '--user', 'alice'], ['leaderboard', '--by-agent']];
    for (const command of commands) {
      for (const [args, env, origin] of [
        [['--query-url', server.url], {}, '--query-url'],
        [[], { ANALYTICS_QUERY_URL: server.url }, 'ANALYTICS_QUERY_URL'],
      ] as const) {
        const run = expectExit(await cli([...command, ...args, '--db', db], { cwd: cwd(), env }), 2);
        assert.equal(run.stdout, '');
        const what = command[1] === '--by-agent' ? '--by-agent' : command[0];
        assert.match(run.stderr, new RegExp(`^toolweaver-analytics: ${what} needs the SQLite source: `));
        assert.ok(run.stderr.includes(`and ${origin} points the reports at a Prometheus store`), run.stderr);
        const fix = origin === '--query-url' ? 'leave out --query-url' : 'unset ANALYTICS_QUERY_URL (an empty value counts as unset)';
        assert.ok(run.stderr.includes(fix), run.stderr);
        assert.equal(run.stderr.trimEnd().split('\n').length, 1);
      }
    }
    assert.match(
      expectExit(await cli(['adoption', '--query-url', server.url], { cwd: cwd() }), 2).stderr,
      /it reads per-user records \(first uses, active days\), which only the database keeps/,
    );
    assert.match(
      expectExit(await cli(['leaderboard', '--by-agent', '--query-url', server.url], { cwd: cwd() }), 2).stderr,
      /rank one agent at a time with --agent NAME/,
    );
    assert.deepEqual(server.requests, []);
    // An empty variable counts as unset: the database answers.
    expectExit(await cli(['adoption', '--db', db], { cwd: cwd(), env: { ANALYTICS_QUERY_URL: ' ' } }), 0);
  });

  it('says the query API cannot be reached at a dead URL, exit code 1', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // A global option: before the command's name or after it.
    for (const args of [
      ['leaderboard', '--query-url', url],
      ['--query-url', url, 'trends'],
      ['latency', '--query-url', url],
      ['health', '--query-url', url],
    ]) {
      const run = expectExit(await cli(args, { cwd: cwd() }), 1);
      assert.equal(run.stdout, '');
      assert.match(
        run.stderr,
        new RegExp(
          `^toolweaver-analytics: Cannot reach the Prometheus query API at http://127\\.0\\.0\\.1:${port}/api/v1/\\S+ \\(connection refused\\): ` +
            'check the query URL and that the store is running there\\.\\n$',
        ),
      );
    }
  });

  it('says the query API refused the credentials (401) in one line, and never prints the token, not even under --verbose', async () => {
    server = await answering(401, { status: 'error', errorType: 'unauthorized', error: 'authentication required' });
    const env = { ANALYTICS_QUERY_URL: server.url, ANALYTICS_QUERY_USER: '1234567', ANALYTICS_QUERY_TOKEN: TOKEN };
    for (const args of [['leaderboard'], ['latency', '--json'], ['health', '--verbose']]) {
      const run = expectExit(await cli(args, { cwd: cwd(), env }), 1);
      assert.equal(run.stdout, '');
      assert.match(
        run.stderr,
        new RegExp(
          `^toolweaver-analytics: The Prometheus query API at ${server.url}/api/v1/\\S+ refused the request \\(HTTP 401, sent basic auth as user 1234567\\): ` +
            'set the query user and token \\(ANALYTICS_QUERY_USER and ANALYTICS_QUERY_TOKEN',
          'm',
        ),
      );
      assert.equal(run.stderr.split('\n').filter((line) => line.startsWith('toolweaver-analytics: The')).length, 1);
      assert.ok(!printed(run).includes(TOKEN), printed(run));
      if (args.includes('--verbose')) assert.match(run.stderr, /QueryAuthError: /);
    }
  });

  it('says what is wrong, in one line with exit code 1, when the URL is no query API or the store holds none of our metrics', async () => {
    server = await answering(404, { message: 'not found' });
    const notApi = expectExit(await cli(['leaderboard', '--query-url', server.url], { cwd: cwd() }), 1);
    assert.match(
      notApi.stderr,
      /^toolweaver-analytics: The Prometheus query API at http:\/\/127\.0\.0\.1:\d+\/api\/v1\/\S+ answered HTTP 404: not the JSON of a Prometheus query API: check the URL .*\n$/,
    );
    await server.close();
    server = await answering(200, { status: 'success', data: [] });
    const empty = expectExit(await cli(['health', '--query-url', server.url], { cwd: cwd() }), 1);
    assert.match(
      empty.stderr,
      new RegExp(`^toolweaver-analytics: ${server.url} holds none of our metrics \\(toolweaver_skill_\\*\\) between .*\\n$`),
    );
  });

  it('scrubs the token and a URL password from an error the store echoes them in', async () => {
    // A proxy that quotes the credentials it refused: the message reaches the user, the secrets must not.
    server = await answering(400, (headers) => {
      const [scheme = '', value = ''] = (headers.authorization ?? '').split(' ');
      const credentials = scheme === 'Basic' ? Buffer.from(value, 'base64').toString() : value;
      return { status: 'error', errorType: 'bad_data', error: `credentials ${credentials} are not valid here` };
    });
    const withPassword = server.url.replace('http://', `http://42:${PASSWORD}@`);
    const runs = [
      await cli(['leaderboard', '--verbose'], { cwd: cwd(), env: { ANALYTICS_QUERY_URL: server.url, ANALYTICS_QUERY_TOKEN: TOKEN } }),
      await cli(['latency', '--query-url', withPassword, '--verbose'], { cwd: cwd() }),
    ];
    for (const run of runs) {
      expectExit(run, 1);
      assert.match(
        run.stderr,
        /^toolweaver-analytics: The Prometheus query API at .* answered HTTP 400: bad_data: credentials .*\[REDACTED\] are not valid here\.$/m,
      );
      assert.ok(!printed(run).includes(TOKEN) && !printed(run).includes(PASSWORD), printed(run));
    }
  });

  it('sends ANALYTICS_QUERY_USER and ANALYTICS_QUERY_TOKEN as Basic auth, a token alone as Bearer, credentials in the URL as Basic', async () => {
    server = await answering(401, { status: 'error' });
    const ask = async (env: Record<string, string>, url = server!.url): Promise<string | undefined> => {
      const before = server!.requests.length;
      expectExit(await cli(['leaderboard', '--query-url', url], { cwd: cwd(), env }), 1);
      assert.equal(server!.requests.length, before + 1, 'one request, refused, and no other');
      return server!.requests.at(-1)!.headers.authorization;
    };
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    assert.equal(await ask({ ANALYTICS_QUERY_USER: '1234567', ANALYTICS_QUERY_TOKEN: TOKEN }), basic('1234567', TOKEN));
    assert.equal(await ask({ ANALYTICS_QUERY_TOKEN: TOKEN }), `Bearer ${TOKEN}`);
    assert.equal(await ask({}), undefined);
    // --query-url wins over ANALYTICS_QUERY_URL, which points nowhere here.
    assert.equal(await ask({ ANALYTICS_QUERY_URL: 'http://127.0.0.1:1', ANALYTICS_QUERY_TOKEN: TOKEN }), `Bearer ${TOKEN}`);
    const withPassword = server.url.replace('http://', `http://42:${PASSWORD}@`);
    assert.equal(await ask({}, withPassword), basic('42', PASSWORD));
    assert.ok(server.requests.every((request) => request.path.startsWith('/api/v1/')));
  });

  it('never prints a password written into --query-url', async () => {
    server = await answering(401, { status: 'error' });
    const withPassword = server.url.replace('http://', `http://42:${PASSWORD}@`);
    for (const args of [['leaderboard', '--verbose'], ['status']]) {
      const run = await cli([...args, '--query-url', withPassword], { cwd: cwd() });
      assert.equal(run.code, 1, printed(run));
      assert.ok(!printed(run).includes(PASSWORD), printed(run));
      assert.ok(printed(run).includes(server.url), printed(run));
    }
    const both = expectExit(await cli(['trends', '--query-url', withPassword], { cwd: cwd(), env: { ANALYTICS_QUERY_TOKEN: TOKEN } }), 2);
    assert.match(
      both.stderr,
      /^toolweaver-analytics: invalid configuration: --query-url=http:\/\/42:\[REDACTED\]@127\.0\.0\.1:\d+: the URL carries user:password and ANALYTICS_QUERY_TOKEN is set too/,
    );
    assert.ok(!printed(both).includes(PASSWORD) && !printed(both).includes(TOKEN), printed(both));
  });

  it('refuses a user without a token, and a bad query URL or timeout, as configuration problems (exit code 2) of the report commands only', async () => {
    server = await answering(200, { status: 'success', data: [] });
    const userAlone = expectExit(
      await cli(['leaderboard'], { cwd: cwd(), env: { ANALYTICS_QUERY_URL: server.url, ANALYTICS_QUERY_USER: 'u' } }),
      2,
    );
    assert.match(
      userAlone.stderr,
      /^toolweaver-analytics: invalid configuration: ANALYTICS_QUERY_TOKEN=\(unset\): ANALYTICS_QUERY_USER is set, so ANALYTICS_QUERY_TOKEN is needed too/,
    );
    const badFlag = expectExit(await cli(['health', '--query-url', 'prometheus:9090'], { cwd: cwd() }), 2);
    assert.match(badFlag.stderr, /--query-url=prometheus:9090: the scheme prometheus: is neither http: nor https:/);
    const badTimeout = expectExit(
      await cli(['latency'], { cwd: cwd(), env: { ANALYTICS_QUERY_URL: server.url, ANALYTICS_QUERY_TIMEOUT: '30s' } }),
      2,
    );
    assert.match(badTimeout.stderr, /ANALYTICS_QUERY_TIMEOUT=30s: expected milliseconds, 1 or more/);
    assert.deepEqual(server.requests, []);
    // Commands that read no report, and reports without a query URL, ignore the query settings.
    const db = await fixtureDatabase(cwd());
    const bad = { ANALYTICS_QUERY_USER: 'u', ANALYTICS_QUERY_TIMEOUT: 'soon' };
    expectExit(await cli(['leaderboard', '--db', db], { cwd: cwd(), env: bad }), 0);
    expectExit(
      await cli(['export', '--table', 'skill_metrics', '--db', db], { cwd: cwd(), env: { ...bad, ANALYTICS_QUERY_URL: 'ftp://x' } }),
      0,
    );
  });

  it('status reports a query API that refuses the credentials, exit code 1, naming them but never their values', async () => {
    server = await answering(403, { status: 'error' });
    const db = await fixtureDatabase(cwd());
    const env = { ANALYTICS_DB_PATH: db, ANALYTICS_QUERY_URL: server.url, ANALYTICS_QUERY_USER: '1234567', ANALYTICS_QUERY_TOKEN: TOKEN };
    const run = expectExit(await cli(['status'], { cwd: cwd(), env }), 1);
    assert.match(
      run.stdout,
      new RegExp(
        `^prometheus +refused +${server.url} +The Prometheus query API at .* \\(HTTP 403, sent basic auth as user 1234567\\)`,
        'm',
      ),
    );
    assert.match(run.stdout, /^query\.token +\[REDACTED\]$/m);
    assert.ok(!printed(run).includes(TOKEN));
    const json = JSON.parse(expectExit(await cli(['status', '--json'], { cwd: cwd(), env }), 1).stdout) as { reports: { state: string } };
    assert.equal(json.reports.state, 'refused');
    const none = JSON.parse(expectExit(await cli(['status', '--json'], { cwd: cwd(), env: { ANALYTICS_DB_PATH: db } }), 0).stdout) as {
      reports: { source: string; state: null; target: string };
    };
    assert.deepEqual([none.reports.source, none.reports.state, none.reports.target], ['sqlite', null, db]);
  });

  it('names --query-url and the variables in the help of the program and of every report command', async () => {
    const program = expectExit(await cli(['--help'], { cwd: cwd() }), 0).stdout;
    assert.match(program, /^ {6}--query-url URL +leaderboard, trends, latency and health read this Prometheus-compatible query API/m);
    for (const name of ['ANALYTICS_QUERY_URL', 'ANALYTICS_QUERY_USER', 'ANALYTICS_QUERY_TOKEN', 'ANALYTICS_QUERY_TIMEOUT'])
      assert.ok(program.includes(name), name);
    for (const command of ['leaderboard', 'trends', 'latency', 'health', 'adoption', 'recommend']) {
      const help = expectExit(await cli([command, '--help'], { cwd: cwd() }), 0).stdout;
      assert.match(help, /--query-url URL .*\(default: ANALYTICS_QUERY_URL, else the database\)/, command);
      assert.match(help, /--query-url, ANALYTICS_QUERY_URL|--query-url \(or\s+ANALYTICS_QUERY_URL\)/, command);
    }
  });
});
