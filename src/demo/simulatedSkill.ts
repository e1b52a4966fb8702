import type { ErrorType } from '../instruments/errorTypes.js';
import { logNormal } from './random.js';
import type { SkillProfile } from './profiles.js';

const ERRORS: Record<ErrorType, () => Error> = {
  timeout: () => Object.assign(new Error('the tool did not answer in time'), { name: 'TimeoutError' }),
  cancelled: () => new DOMException('the agent cancelled the call', 'AbortError'),
  validation: () => Object.assign(new Error('invalid arguments'), { status: 422 }),
  auth: () => Object.assign(new Error('credentials expired'), { status: 401 }),
  rate_limited: () => Object.assign(new Error('too many requests'), { status: 429 }),
  upstream: () => Object.assign(new Error('bad gateway'), { status: 502 }),
  internal: () => new Error('tool crashed'),
};

/** The error a call of `profile` fails with, drawn from its failure mix, or undefined for a success. */
export function simulatedFailure(profile: SkillProfile, random: () => number): Error | undefined {
  const roll = random();
  let threshold = 0;
  for (const [type, probability] of Object.entries(profile.failures) as [ErrorType, number][]) {
    threshold += probability;
    if (roll < threshold) return ERRORS[type]();
  }
  return undefined;
}

/** A stand-in for a real tool: waits its latency, then answers or fails as its profile says. */
export function simulatedSkill(profile: SkillProfile, random: () => number, timeScale: number): (input: string) => Promise<string> {
  return async (input: string) => {
    const latency = Math.min(60_000, logNormal(random, profile.medianMs, profile.sigma));
    const failure = simulatedFailure(profile, random);
    await new Promise((resolve) => setTimeout(resolve, latency * timeScale));
    if (failure !== undefined) throw failure;
    return `${profile.id} answered ${input}`;
  };
}
