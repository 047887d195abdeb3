// Exponential backoff with full jitter, so many clients reconnecting at once do not retry in lockstep.

export interface BackoffPolicy {
  /** Delay ceiling of the first retry. */
  readonly baseMs: number;
  /** No delay exceeds this. */
  readonly maxMs: number;
  /** How many attempts in all (the first try included) before giving up. */
  readonly maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 5000, maxAttempts: 6 };

/** Delay before retry number `retry` (1-based): uniform in [ceiling/2, ceiling], ceiling = min(max, base·2^(retry−1)). */
export function backoffDelayMs(retry: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, retry - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}
