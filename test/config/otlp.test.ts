import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/loadConfig.js';
import { Secret } from '../../src/config/Secret.js';
import type { AnalyticsOptions, OtlpConfig } from '../../src/config/types.js';
import { configErrorOf, lineAbout, problemAbout, type Env } from './helpers.js';

const GRAFANA = 'https://otlp-gateway-prod-us-east-2.grafana.net/otlp';
// AnalyticsOptions types otlp.token as Secret only, though a plain string is accepted (see the report on types.ts).
const plain = (token: string): Secret => token as unknown as Secret;
const withOtlp = (env: Env): Env => ({ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: GRAFANA, ...env });
const otlp = (env: Env, options: AnalyticsOptions = {}): OtlpConfig => loadConfig(withOtlp(env), options).otlp;
const revealAll = (headers: Readonly<Record<string, Secret>>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value.reveal()]));

describe('otlp url', () => {
  it('appends /v1/metrics to OTLP_ENDPOINT', () => {
    assert.equal(otlp({}).url, `${GRAFANA}/v1/metrics`);
  });

  it('drops trailing slashes of the base before appending', () => {
    assert.equal(otlp({ OTLP_ENDPOINT: `${GRAFANA}//` }).url, `${GRAFANA}/v1/metrics`);
  });

  it('uses OTEL_EXPORTER_OTLP_METRICS_ENDPOINT whole', () => {
    assert.equal(
      otlp({ OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://collector:4318/custom' }).url,
      'http://collector:4318/custom',
    );
  });

  it('appends /v1/metrics to OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    assert.equal(
      otlp({ OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).url,
      'http://collector:4318/v1/metrics',
    );
  });

  it('prefers OTLP_ENDPOINT, then the metrics endpoint, then the generic endpoint', () => {
    const all = { OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://metrics:4318/m', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318' };
    assert.equal(otlp(all).url, `${GRAFANA}/v1/metrics`);
    assert.equal(otlp({ ...all, OTLP_ENDPOINT: '' }).url, 'http://metrics:4318/m');
  });

  it('does not read an endpoint that a higher one overrides', () => {
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }).url, `${GRAFANA}/v1/metrics`);
  });

  it('takes options.otlp.url whole, over every variable', () => {
    assert.equal(otlp({}, { otlp: { url: 'https://example.com/push' } }).url, 'https://example.com/push');
  });

  it('refuses a URL that is not http or https, saying why', () => {
    assert.match(
      lineAbout('OTLP_ENDPOINT', { ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: 'ftp://host/otlp' }),
      /^OTLP_ENDPOINT=ftp:\/\/host\/otlp: the scheme ftp: is neither http: nor https:; expected an http:\/\/ or https:\/\/ URL/,
    );
    assert.match(
      problemAbout('OTEL_EXPORTER_OTLP_ENDPOINT', { ANALYTICS_BACKEND: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }).expected,
      /neither http: nor https:/,
    );
    assert.match(problemAbout('options.otlp.url', {}, { otlp: { url: 'otlp.example.com' } }).expected, /not a URL/);
  });

  it('asks for OTLP_ENDPOINT when otlp is a backend and no URL is set', () => {
    const line = lineAbout('OTLP_ENDPOINT', { ANALYTICS_BACKEND: 'otlp' });
    assert.match(
      line,
      /^OTLP_ENDPOINT=\(unset\): the otlp backend needs a URL: set OTLP_ENDPOINT \(e\.g\. https:\/\/otlp-gateway-prod-us-east-2\.grafana\.net\/otlp\)/,
    );
  });

  it('needs no URL while otlp is off', () => {
    assert.equal(loadConfig({}).otlp.url, undefined);
  });

  it('reports an invalid URL once, not also as a missing one', () => {
    const problems = configErrorOf({ ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: 'nonsense' }).problems;
    assert.deepEqual(
      problems.map((problem) => problem.source),
      ['OTLP_ENDPOINT'],
    );
  });
});

describe('otlp credentials', () => {
  it('keeps OTLP_INSTANCE_ID as text and OTLP_TOKEN as a Secret', () => {
    const config = otlp({ OTLP_INSTANCE_ID: '1234567', OTLP_TOKEN: 'glc_abc' });
    assert.equal(config.instanceId, '1234567');
    assert.ok(config.token instanceof Secret);
    assert.equal(config.token.reveal(), 'glc_abc');
  });

  it('wraps a token given as a plain string option, and keeps one given as a Secret', () => {
    assert.equal(otlp({}, { otlp: { instanceId: '1', token: plain('glc_plain') } }).token?.reveal(), 'glc_plain');
    assert.equal(otlp({}, { otlp: { instanceId: '1', token: new Secret('glc_wrapped') } }).token?.reveal(), 'glc_wrapped');
  });

  it('asks for OTLP_INSTANCE_ID when only OTLP_TOKEN is set', () => {
    assert.match(
      lineAbout('OTLP_INSTANCE_ID', withOtlp({ OTLP_TOKEN: 'glc_abc' })),
      /^OTLP_INSTANCE_ID=\(unset\): OTLP_TOKEN is set, so OTLP_INSTANCE_ID is needed too/,
    );
  });

  it('asks for OTLP_TOKEN when only OTLP_INSTANCE_ID is set', () => {
    assert.match(
      lineAbout('OTLP_TOKEN', withOtlp({ OTLP_INSTANCE_ID: '1' })),
      /^OTLP_TOKEN=\(unset\): OTLP_INSTANCE_ID is set, so OTLP_TOKEN is needed too/,
    );
  });

  it('names the missing option when the other one came from options', () => {
    assert.match(
      problemAbout('options.otlp.instanceId', {}, { otlp: { token: plain('glc_abc') } }).expected,
      /options\.otlp\.token is set/,
    );
  });

  it('takes user:password out of the URL into instanceId and token', () => {
    const config = otlp({ OTLP_ENDPOINT: 'https://1234567:glc%2Fsecret@otlp.example.com/otlp' });
    assert.equal(config.url, 'https://otlp.example.com/otlp/v1/metrics');
    assert.equal(config.instanceId, '1234567');
    assert.equal(config.token?.reveal(), 'glc/secret');
  });

  it('refuses credentials given both in the URL and in OTLP_TOKEN, without showing the password', () => {
    const env = {
      ANALYTICS_BACKEND: 'otlp',
      OTLP_ENDPOINT: 'https://1:glc_url@h.example/otlp',
      OTLP_INSTANCE_ID: '1',
      OTLP_TOKEN: 'glc_var',
    };
    assert.equal(
      lineAbout('OTLP_ENDPOINT', env),
      'OTLP_ENDPOINT=https://1:[REDACTED]@h.example/otlp: the URL carries user:password and OTLP_INSTANCE_ID and OTLP_TOKEN are set too: give the credentials one way only',
    );
  });
});

describe('otlp headers', () => {
  it('reads OTEL_EXPORTER_OTLP_HEADERS trimmed and percent-decoded, as Secrets', () => {
    const config = otlp({ OTEL_EXPORTER_OTLP_HEADERS: ' Authorization = Basic%20abc%3D , X-Scope-OrgID=tenant%2C1 ' });
    assert.ok(Object.values(config.headers).every((value) => value instanceof Secret));
    assert.deepEqual(revealAll(config.headers), { Authorization: 'Basic abc=', 'X-Scope-OrgID': 'tenant,1' });
  });

  it('lets the metrics-specific headers win key by key, whatever the case of the name', () => {
    const config = otlp({
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=generic,a=1',
      OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'Authorization=metrics,b=2',
    });
    assert.deepEqual(revealAll(config.headers), { Authorization: 'metrics', a: '1', b: '2' });
  });

  it('lets options.otlp.headers win key by key, wrapping plain strings', () => {
    const config = otlp({ OTEL_EXPORTER_OTLP_HEADERS: 'a=env,b=env' }, { otlp: { headers: { b: 'option', c: new Secret('wrapped') } } });
    assert.deepEqual(revealAll(config.headers), { a: 'env', b: 'option', c: 'wrapped' });
  });

  it('refuses a malformed pair, showing header names but no value', () => {
    const env = withOtlp({ OTEL_EXPORTER_OTLP_HEADERS: 'X-Org=acme,Authorization: Basic glc_abc' });
    const line = lineAbout('OTEL_EXPORTER_OTLP_HEADERS', env);
    assert.match(
      line,
      /^OTEL_EXPORTER_OTLP_HEADERS=X-Org=\[REDACTED\],\[REDACTED\]: entry 2 of 2 has no '='; expected comma-separated name=value pairs/,
    );
    assert.doesNotMatch(line, /glc_abc|acme/);
  });

  it('refuses a header name that HTTP does not allow, bad percent-encoding and an empty key', () => {
    const env = withOtlp({ OTEL_EXPORTER_OTLP_METRICS_HEADERS: 'bad name=1,x=%zz,=v' });
    assert.match(
      problemAbout('OTEL_EXPORTER_OTLP_METRICS_HEADERS', env).expected,
      /entry 1 of 3 has a key that is not allowed; entry 2 of 3 has a malformed percent-encoding \(write % as %25\); entry 3 of 3 has an empty key/,
    );
  });
});

describe('otlp protocol, interval, timeout, compression, temporality', () => {
  it('defaults to protobuf every 60 s with a 10 s timeout and no compression', () => {
    const config = otlp({});
    assert.deepEqual([config.protocol, config.pushIntervalMs, config.timeoutMs, config.compression], ['protobuf', 60_000, 10_000, 'none']);
  });

  it('reads OTLP_PROTOCOL as protobuf or json, any case', () => {
    assert.equal(otlp({ OTLP_PROTOCOL: 'JSON' }).protocol, 'json');
    assert.match(problemAbout('OTLP_PROTOCOL', withOtlp({ OTLP_PROTOCOL: 'xml' })).expected, /^expected protobuf or json$/);
  });

  it('maps the OpenTelemetry protocol names and prefers the metrics-specific one', () => {
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol, 'json');
    assert.equal(
      otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf' }).protocol,
      'protobuf',
    );
    assert.equal(otlp({ OTLP_PROTOCOL: 'json', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf' }).protocol, 'json');
  });

  it('refuses grpc and says to use http/protobuf', () => {
    assert.match(
      lineAbout('OTEL_EXPORTER_OTLP_PROTOCOL', withOtlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })),
      /^OTEL_EXPORTER_OTLP_PROTOCOL=grpc: grpc is not supported .*: use http\/protobuf; expected http\/protobuf or http\/json$/,
    );
  });

  it('ignores a generic grpc protocol that the metrics-specific variable overrides', () => {
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf' }).protocol, 'protobuf');
  });

  it('reads OTLP_PUSH_INTERVAL in seconds, fractions allowed, down to 0.1', () => {
    assert.equal(otlp({ OTLP_PUSH_INTERVAL: '15' }).pushIntervalMs, 15_000);
    assert.equal(otlp({ OTLP_PUSH_INTERVAL: '2.5' }).pushIntervalMs, 2500);
    assert.equal(otlp({ OTLP_PUSH_INTERVAL: '0.1' }).pushIntervalMs, 100);
  });

  for (const interval of ['0.05', '0', '-5', 'soon']) {
    it(`refuses OTLP_PUSH_INTERVAL=${interval}`, () => {
      assert.equal(
        lineAbout('OTLP_PUSH_INTERVAL', withOtlp({ OTLP_PUSH_INTERVAL: interval })),
        `OTLP_PUSH_INTERVAL=${interval}: expected seconds, 0.1 or more (fractions allowed)`,
      );
    });
  }

  it('falls back to OTEL_METRIC_EXPORT_INTERVAL in milliseconds', () => {
    assert.equal(otlp({ OTEL_METRIC_EXPORT_INTERVAL: '30000' }).pushIntervalMs, 30_000);
    assert.equal(otlp({ OTEL_METRIC_EXPORT_INTERVAL: '30000', OTLP_PUSH_INTERVAL: '5' }).pushIntervalMs, 5000);
  });

  it('refuses an interval too long for a timer', () => {
    assert.match(
      problemAbout('OTEL_METRIC_EXPORT_INTERVAL', withOtlp({ OTEL_METRIC_EXPORT_INTERVAL: '3000000000' })).expected,
      /milliseconds, 100 or more/,
    );
  });

  it('takes options.otlp.pushIntervalMs in milliseconds', () => {
    assert.equal(otlp({ OTLP_PUSH_INTERVAL: '5' }, { otlp: { pushIntervalMs: 250 } }).pushIntervalMs, 250);
    assert.match(problemAbout('options.otlp.pushIntervalMs', {}, { otlp: { pushIntervalMs: 50 } }).expected, /milliseconds from 100/);
  });

  it('reads the timeout in milliseconds, the metrics-specific variable first', () => {
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_TIMEOUT: '5000' }).timeoutMs, 5000);
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: '2000' }).timeoutMs, 2000);
    assert.match(
      problemAbout('OTEL_EXPORTER_OTLP_TIMEOUT', withOtlp({ OTEL_EXPORTER_OTLP_TIMEOUT: '0' })).expected,
      /milliseconds, 1 or more/,
    );
  });

  it('reads compression as gzip or none, the metrics-specific variable first', () => {
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_COMPRESSION: 'GZIP' }).compression, 'gzip');
    assert.equal(otlp({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_METRICS_COMPRESSION: 'none' }).compression, 'none');
    assert.match(
      problemAbout('OTEL_EXPORTER_OTLP_COMPRESSION', withOtlp({ OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli' })).expected,
      /^expected gzip or none$/,
    );
  });

  it('accepts cumulative temporality in any case', () => {
    assert.doesNotThrow(() => otlp({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Cumulative' }));
  });

  for (const temporality of ['delta', 'LowMemory']) {
    it(`refuses ${temporality} temporality, explaining that Grafana Cloud rejects delta`, () => {
      const env = withOtlp({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: temporality });
      assert.match(
        lineAbout('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', env),
        /always sends cumulative temporality because Grafana Cloud rejects delta, so unset OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE/,
      );
    });
  }

  it('lets options win over every otlp variable', () => {
    const env = { OTLP_PROTOCOL: 'json', OTEL_EXPORTER_OTLP_TIMEOUT: '5000', OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' };
    const config = otlp(env, { otlp: { protocol: 'protobuf', timeoutMs: 750, compression: 'none' } });
    assert.deepEqual([config.protocol, config.timeoutMs, config.compression], ['protobuf', 750, 'none']);
  });
});

describe('otlp variables while otlp is off', () => {
  it('does not check them, since a shared environment may set them for tracing', () => {
    const env = {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta',
      OTLP_TOKEN: 'glc_abc',
    };
    assert.deepEqual(loadConfig(env).backends, ['sqlite']);
  });

  it('still resolves their valid values', () => {
    assert.equal(loadConfig({ OTLP_ENDPOINT: GRAFANA }).otlp.url, `${GRAFANA}/v1/metrics`);
  });

  it('checks them all when the backend list itself is invalid, since otlp may have been meant', () => {
    const sources = configErrorOf({ ANALYTICS_BACKEND: 'otlp,bogus', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).problems.map((p) => p.source);
    assert.deepEqual(sources, ['ANALYTICS_BACKEND', 'OTEL_EXPORTER_OTLP_PROTOCOL']);
  });
});
