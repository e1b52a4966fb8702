import { metrics, type Meter, type MeterProvider } from '@opentelemetry/api';
import { DEFAULTS } from '../config/defaults.js';
import type { HealthConfig } from '../config/types.js';
import type { HealthResult } from '../health/healthScore.js';
import { VERSION } from '../version.js';
import type { ErrorClassifier } from './errorTypes.js';
import { withContext, type Identity } from './identity.js';
import { liveHealth } from './liveHealth.js';
import { bindToMeter } from './MeterBinding.js';
import { METER_NAME } from './names.js';
import { SkillMetricProducer } from './SkillMetricProducer.js';
import { SkillRecorder } from './SkillRecorder.js';
import type { Clock } from './clock.js';

/** Settings of a {@link SkillMetrics}. */
export interface SkillMetricsOptions {
  /** Put user_id and org_id on series. @default false */
  userLabels?: boolean;
  /** Series before new ones fold into the overflow series. @default 2000 */
  cardinalityLimit?: number;
  /** The live health score's window, minimum calls and latency targets. @default see docs/health.md */
  health?: Partial<HealthConfig>;
  /** Names the error_type of a failure; `undefined` falls back to the built-in rules. @default built-in rules */
  classifyError?: ErrorClassifier;
  /** Where time comes from, e.g. to replay traffic with known times. @default SYSTEM_CLOCK */
  clock?: Clock;
}

/** Settings of one wrapped skill or timer. */
export interface WrapOptions {
  /** Overrides the SkillMetrics' classifier for this skill. @default the SkillMetrics' classifier */
  classifyError?: ErrorClassifier;
}

/** A running measurement from {@link SkillMetrics.startTimer}. */
export interface SkillTimer {
  /** Records the call as failed when `error` is given, else as successful; returns the latency in ms. Only the first call counts. */
  end(outcome?: { error?: unknown }): number;
}

/** Who a rating or install comes from; defaults to the identity of {@link SkillMetrics.withContext}. */
export type IdentityOptions = Identity;

const boundRecorders = new WeakMap<Meter, SkillRecorder>();

/**
 * Records skill calls, ratings and installs. Create one over any Meter (`new SkillMetrics(meter)`,
 * `SkillMetrics.fromGlobal()`) for an application that keeps its own MeterProvider; `startAnalytics()`
 * creates one for you. Two SkillMetrics over one Meter share their totals.
 */
export class SkillMetrics {
  readonly #recorder: SkillRecorder;

  #producer: SkillMetricProducer | undefined;

  /**
   * Over `meter`, the metrics are reported through that Meter's instruments. Without a Meter, they
   * are read through {@link SkillMetrics.metricProducer}, the fast path `startAnalytics()` uses.
   */
  constructor(meter?: Meter, options: SkillMetricsOptions = {}) {
    if (meter === undefined) {
      this.#recorder = new SkillRecorder(recorderOptions(options));
      return;
    }
    let recorder = boundRecorders.get(meter);
    if (recorder === undefined) {
      recorder = new SkillRecorder(recorderOptions(options));
      bindToMeter(recorder, meter);
      boundRecorders.set(meter, recorder);
    }
    this.#recorder = recorder;
  }

  /** A SkillMetrics over the global MeterProvider's `toolweaver-analytics` Meter. */
  static fromGlobal(options?: SkillMetricsOptions): SkillMetrics {
    return new SkillMetrics(metrics.getMeter(METER_NAME, VERSION), options);
  }

  /** A SkillMetrics over the `toolweaver-analytics` Meter of `provider`. */
  static fromMeterProvider(provider: MeterProvider, options?: SkillMetricsOptions): SkillMetrics {
    return new SkillMetrics(provider.getMeter(METER_NAME, VERSION), options);
  }

  /**
   * Returns `fn` instrumented as skill `skillId`. The wrapper keeps `fn`'s contract exactly: sync
   * stays sync, async returns the same outcome, `this` and arguments pass through, a thrown error is
   * the same object. Throws a TypeError now if `skillId` is empty, longer than 128 characters or has
   * control characters.
   */
  wrap<F extends (...args: any[]) => any>(skillId: string, fn: F, options: WrapOptions = {}): F {
    if (typeof fn !== 'function') throw new TypeError(`Expected a function to wrap for skill ${JSON.stringify(skillId)}, got ${typeof fn}`);
    const recorder = this.#recorder;
    const skill = recorder.skill(skillId);
    const classify = options.classifyError;
    const wrapped = function (this: unknown, ...args: unknown[]): unknown {
      return recorder.invoke(skill, fn, this, args, classify);
    };
    Object.defineProperty(wrapped, 'name', { value: fn.name, configurable: true });
    Object.defineProperty(wrapped, 'length', { value: fn.length, configurable: true });
    return wrapped as F;
  }

  /** Starts timing a call of `skillId` that you end yourself, e.g. across callbacks. */
  startTimer(skillId: string, options: WrapOptions = {}): SkillTimer {
    const recorder = this.#recorder;
    const skill = recorder.skill(skillId);
    const identity = recorder.identity();
    const series = recorder.series(skill, identity);
    const started = recorder.clock.monotonic();
    let ended: number | undefined;
    return {
      end(outcome?: { error?: unknown }): number {
        if (ended !== undefined) return ended;
        const now = recorder.clock.monotonic();
        ended = now - started;
        const failed = outcome !== undefined && 'error' in outcome;
        // The same reading for what is recorded and what is returned.
        recorder.finish(skill, series, identity, started, failed, outcome?.error, options.classifyError, now);
        return ended;
      },
    };
  }

  /**
   * Records a rating of 1 to 5 whole stars. Throws InvalidRatingError (a RangeError with
   * `statusCode` 400) for anything else, and a TypeError for an invalid skill id.
   */
  rate(skillId: string, stars: number, options: IdentityOptions = {}): void {
    this.#recorder.rate(skillId, stars, identityOf(options));
  }

  /** Records one install of `skillId`. */
  recordInstall(skillId: string, options: IdentityOptions = {}): void {
    this.#recorder.install(skillId, identityOf(options));
  }

  /** Runs `fn` with every skill call inside it, sync or async, attributed to this user and org. */
  withContext<T>(identity: Identity, fn: () => T): T {
    return withContext(identity, fn);
  }

  /** The live health of `skillId` now: score (undefined below the minimum calls) and each component. */
  health(skillId: string): HealthResult {
    return liveHealth(this.#recorder.skill(skillId), this.#recorder.clock.now(), this.#recorder.options.health);
  }

  /**
   * The MetricProducer to give a MetricReader (`metricProducers` option) when this SkillMetrics was
   * made without a Meter. Over a Meter the Meter already reports everything: do not add both.
   */
  get metricProducer(): SkillMetricProducer {
    this.#producer ??= new SkillMetricProducer(this.#recorder.registry, this.#recorder.options.health, this.#recorder.clock);
    return this.#producer;
  }

  /** @internal */
  get recorder(): SkillRecorder {
    return this.#recorder;
  }
}

function identityOf(options: IdentityOptions): Identity | undefined {
  return options.userId === undefined && options.orgId === undefined ? undefined : options;
}

function recorderOptions(options: SkillMetricsOptions) {
  return {
    userLabels: options.userLabels ?? DEFAULTS.userLabels,
    cardinalityLimit: options.cardinalityLimit ?? DEFAULTS.cardinalityLimit,
    healthWindowMs: options.health?.windowMs ?? DEFAULTS.health.windowMs,
    health: { ...DEFAULTS.health, ...options.health },
    classifyError: options.classifyError,
    clock: options.clock,
  };
}
