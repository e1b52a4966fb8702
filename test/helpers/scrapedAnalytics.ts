import sinon from 'sinon';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { startPrometheus, type PrometheusServer } from './prometheusServer.js';

/** The prometheus backend, a real Prometheus scraping it every second, and the fake monotonic clock. */
export interface ScrapedAnalytics {
  readonly analytics: Analytics;
  readonly prometheus: PrometheusServer;
  /** Fakes only `performance`: latencies are what the test ticks; Date and timers stay real for Prometheus. */
  readonly clock: sinon.SinonFakeTimers;
  /** Restores the clock, stops Prometheus, shuts the backend down. */
  stop(): Promise<void>;
}

/** Starts the prometheus backend on a free loopback port and a real Prometheus scraping it. */
export async function startScrapedAnalytics(): Promise<ScrapedAnalytics> {
  const clock = sinon.useFakeTimers({ toFake: ['performance'] });
  const analytics = startAnalytics({ env: {}, flushOnExit: false, logLevel: 'none', backends: ['prometheus'], prometheus: { port: 0 } });
  try {
    await analytics.ready;
    const target = new URL((analytics.describeBackends()[0] as string).replace('prometheus: ', ''));
    const prometheus = await startPrometheus({ targets: [target.host], metricsPath: target.pathname, scrapeIntervalSeconds: 1 });
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
