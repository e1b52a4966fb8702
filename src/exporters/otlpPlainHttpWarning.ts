import { isLoopbackHost } from '../config/loopbackHost.js';
import type { OtlpConfig } from '../config/types.js';

/** Header names that carry a credential besides Authorization: `X-Api-Key`, `X-Auth-Token`, `DD-API-KEY`. */
const CREDENTIAL_HEADER = /auth|key|token|secret|password/i;

/**
 * The warning for an OTLP endpoint that would send credentials unencrypted across a network:
 * plain http to a host that is not loopback (see {@link isLoopbackHost}), with Basic auth, a
 * credential header or a query string (its values may be tokens). Undefined when there is
 * nothing to say. Names what crosses, never its value.
 */
export function otlpPlainHttpWarning(config: OtlpConfig): string | undefined {
  const url = config.url === undefined ? null : URL.parse(config.url);
  if (url === null || url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return undefined;
  const crossing = credentialsSent(config, url);
  if (crossing.length === 0) return undefined;
  const listed = crossing.length === 1 ? crossing[0] : `${crossing.slice(0, -1).join(', ')} and ${crossing.at(-1)}`;
  return (
    `OTLP endpoint ${url.protocol}//${url.host} is plain http to a host that is not loopback: ${listed} ` +
    `${crossing.length === 1 ? 'crosses' : 'cross'} the network unencrypted; use https (or reach the receiver on 127.0.0.1 through a tunnel).`
  );
}

/** What would carry a credential, in words; Basic auth replaces a configured Authorization header. */
function credentialsSent(config: OtlpConfig, url: URL): string[] {
  const basic = config.instanceId !== undefined && config.token !== undefined;
  const headers = Object.keys(config.headers).filter(
    (name) => CREDENTIAL_HEADER.test(name) && !(basic && name.toLowerCase() === 'authorization'),
  );
  return [
    ...(basic ? ['the Basic auth (OTLP_INSTANCE_ID, OTLP_TOKEN)'] : []),
    ...headers.map((name) => `the ${name} header`),
    ...(url.search === '' ? [] : ['the query string']),
  ];
}
