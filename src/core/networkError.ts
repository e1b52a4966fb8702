/** A few words for why an HTTP request got no answer, for one-line errors: 'connection refused'. */
export function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ECONNRESET') return 'connection reset';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'host unreachable';
  if (code?.startsWith('ERR_TLS') === true || code?.includes('CERT') === true) return `TLS failed: ${code}`;
  return code ?? error.message;
}
