/**
 * Whether `hostname`, as `URL` gives it (IPv4 normalised, IPv6 in brackets), is loopback: the
 * literal `localhost`, 127.0.0.0/8, `::1`, or 127.0.0.0/8 mapped into IPv6. Names under
 * `.localhost` are not: RFC 6761 asks resolvers to map them to loopback, but not every resolver
 * does, and a DNS server may answer them, so they may well cross the network.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}
