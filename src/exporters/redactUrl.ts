import { redactQueryAndFragment } from '../config/display.js';

/** `url` without user, password or fragment, its query values redacted (`?token=[REDACTED]`): safe to print. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}${redactQueryAndFragment(parsed.search)}`;
  } catch {
    return '(invalid URL)';
  }
}
