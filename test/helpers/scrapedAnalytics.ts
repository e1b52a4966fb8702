import sinon from 'sinon';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { startPrometheus, type ExtraJob, type PrometheusServer } from './prometheusServer.js';

/** The prometheus backend, a real Prometheus scraping it every second, and the fake monotonic clock. */
export interface ScrapedAnalytics {
  readonly analytics: Analytics;
  readonly prometheus: PrometheusServer;
  /** Fakes only `performance`: latencies are what the test ticks; Date and timers stay real for Prometheus. */
  readonly clock: sinon.SinonFakeTimers;
  /** Restores the clock, stops Prometheus, shuts the backend down. */
  stop(): Promise<void>;
}

/**
 * Starts the prometheus backend on a free loopback port and a real Prometheus scraping it; `env`
 * is what the analytics read, `extraJobs` more jobs of that Prometheus on the same target.
 */
export async function startScrapedAnalytics(env: Record<string, string> = {}, extraJobs: ExtraJob[] = []): Promise<ScrapedAnalytics> {
  const clock = sinon.useFakeTimers({ toFake: ['performance'] });
  const analytics = startAnalytics({ env, flushOnExit: false, logLevel: 'none', backends: ['prometheus'], prometheus: { port: 0 } });
  try {
    await analytics.ready;
    const target = new URL((analytics.describeBackends()[0] as string).replace('prometheus: ', ''));
    const prometheus = await startPrometheus({ targets: [target.host], metricsPath: target.pathname, scrapeIntervalSeconds: 1, extraJobs });
    return {
      analytics,
      prometheus,
      clock,
      stop: async () => {
        clock.restore();
        await prometheus.stop();
        await analytics.shutdown();
      },
    };
  } catch (error) {
    clock.restore();
    await analytics.shutdown();
    throw error;
  }
}
