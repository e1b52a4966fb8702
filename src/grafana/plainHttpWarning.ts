/**
 * The warning for a GRAFANA_URL that sends the key unencrypted across a network: plain http to
 * a host that is not loopback (127.0.0.0/8, ::1, localhost). Undefined when there is nothing to say.
 */
export function plainHttpWarning(url: string): string | undefined {
  const parsed = URL.parse(url);
  if (parsed === null || parsed.protocol !== 'http:' || isLoopback(parsed.hostname)) return undefined;
  return (
    `GRAFANA_URL ${parsed.protocol}//${parsed.host} is plain http to a host that is not loopback: GRAFANA_API_KEY crosses the network ` +
    'unencrypted; use https (or reach Grafana on 127.0.0.1 through a tunnel).'
  );
}

function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
