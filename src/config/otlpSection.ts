import type { ConfigSources, Resolved } from './ConfigSources.js';
import { UNSET } from './display.js';
import { splitCredentials } from './otlpUrl.js';
import type { Secret } from './Secret.js';
import type { BackendName, OtlpConfig } from './types.js';

const URL_SOURCES =
  'OTLP_ENDPOINT (e.g. https://otlp-gateway-prod-us-east-2.grafana.net/otlp), OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, ' +
  'OTEL_EXPORTER_OTLP_ENDPOINT or options.otlp.url';

/**
 * The OTLP settings. Basic-auth credentials written into the URL move to `instanceId` and
 * `token`, so the URL kept in the config holds no secret.
 */
export function otlpSection(sources: ConfigSources, backends: readonly BackendName[]): OtlpConfig {
  const url = sources.setting('otlp.url');
  const instanceId = sources.setting('otlp.instanceId');
  const token = sources.setting('otlp.token');
  const split = url.value === undefined ? undefined : splitCredentials(url.value);
  if (backends.includes('otlp') && url.source === 'default') {
    sources.problem('OTLP_ENDPOINT', UNSET, `the otlp backend needs a URL: set ${URL_SOURCES}`);
  }
  if (split?.credentials !== undefined) checkNoSecondCredentials(sources, url, instanceId, token);
  else checkBothOrNeither(sources, instanceId, token);
  // Read only to refuse delta: the exporters always send cumulative, so the config has no field for it.
  sources.env('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE');
  return {
    url: split?.url,
    instanceId: split?.credentials?.user ?? instanceId.value,
    token: split?.credentials?.password ?? token.value,
    headers: sources.record<Secret>('otlp.headers', (name) => name.toLowerCase()),
    protocol: sources.setting('otlp.protocol').value,
    pushIntervalMs: sources.setting('otlp.pushIntervalMs').value,
    timeoutMs: sources.setting('otlp.timeoutMs').value,
    compression: sources.setting('otlp.compression').value,
  };
}

function checkNoSecondCredentials(
  sources: ConfigSources,
  url: Resolved<unknown>,
  instanceId: Resolved<unknown>,
  token: Resolved<unknown>,
): void {
  const others = [instanceId, token].filter((setting) => setting.source !== 'default').map((setting) => setting.source);
  if (others.length === 0) return;
  const also = `${others.join(' and ')} ${others.length === 1 ? 'is' : 'are'} set too`;
  sources.problem(url.source, sources.shown(url.source), `the URL carries user:password and ${also}: give the credentials one way only`);
}

/** Grafana Cloud's Basic auth needs the instance id and the token; one without the other is a mistake. */
function checkBothOrNeither(sources: ConfigSources, instanceId: Resolved<unknown>, token: Resolved<unknown>): void {
  const hasId = instanceId.source !== 'default';
  const hasToken = token.source !== 'default';
  if (hasId === hasToken) return;
  const present = hasId ? instanceId.source : token.source;
  const missingKey = hasId ? 'token' : 'instanceId';
  const missing = present.startsWith('options.') ? `options.otlp.${missingKey}` : hasId ? 'OTLP_TOKEN' : 'OTLP_INSTANCE_ID';
  const advice = `${present} is set, so ${missing} is needed too (Basic auth sends both): set it, or unset ${present}`;
  sources.problem(missing, UNSET, advice);
}
