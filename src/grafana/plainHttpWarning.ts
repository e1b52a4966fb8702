import { isLoopbackHost } from '../config/loopbackHost.js';

/**
 * The warning for a GRAFANA_URL that sends the key unencrypted across a network: plain http to
 * a host that is not loopback (see {@link isLoopbackHost}). Undefined when there is nothing to say.
 */
export function plainHttpWarning(url: string): string | undefined {
  const parsed = URL.parse(url);
  if (parsed === null || parsed.protocol !== 'http:' || isLoopbackHost(parsed.hostname)) return undefined;
  return (
    `GRAFANA_URL ${parsed.protocol}//${parsed.host} is plain http to a host that is not loopback: GRAFANA_API_KEY crosses the network ` +
    'unencrypted; use https (or reach Grafana on 127.0.0.1 through a tunnel).'
  );
}
