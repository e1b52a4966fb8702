import type { AnalyticsConfig } from '../../config/types.js';

const REDACTED = '[REDACTED]';
/** Shorter values would blank out ordinary words and numbers. */
const MIN_LENGTH = 4;
const SECRET_VARIABLES = ['OTLP_TOKEN', 'GRAFANA_API_KEY', 'ANALYTICS_QUERY_TOKEN'];

/**
 * The last line of defence for credentials: replaces every token and header value the CLI knows
 * of in text it prints. The configuration already keeps them in `Secret`s that print as
 * [REDACTED]; this catches what might slip past, such as a stack trace under --verbose.
 */
export class SecretScrubber {
  readonly #secrets = new Set<string>();

  constructor(env: Readonly<Record<string, string | undefined>>) {
    for (const name of SECRET_VARIABLES) this.#add(env[name]?.trim());
  }

  /** Adds the credentials of a loaded configuration. */
  addConfig(config: AnalyticsConfig): void {
    this.#add(config.otlp.token?.reveal());
    this.#add(config.grafana.apiKey?.reveal());
    this.#add(config.query.token?.reveal());
    for (const value of Object.values(config.otlp.headers)) this.#add(value.reveal());
  }

  /** `text` with every known credential replaced. */
  scrub(text: string): string {
    let clean = text;
    for (const secret of this.#secrets) clean = clean.replaceAll(secret, REDACTED);
    return clean;
  }

  #add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= MIN_LENGTH) this.#secrets.add(secret);
  }
}
