/** Retries of one delivery: MAIL_MAX_ATTEMPTS attempts in all, the n-th retry after MAIL_RETRY_BASE_MS · 2^(n−1). */
export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
}

export type AfterFailure = { status: 'failed' } | { status: 'pending'; delayMs: number };

/**
 * What follows the `attempts`-th failed attempt (attempts ≥ 1): another attempt after
 * base·2^(attempts−1) ms (base, 2·base, 4·base, …), or permanent failure once `maxAttempts`
 * attempts have been made.
 */
export function afterFailure(attempts: number, policy: RetryPolicy): AfterFailure {
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a positive integer, got ${attempts}`);
  if (attempts >= policy.maxAttempts) return { status: 'failed' };
  return { status: 'pending', delayMs: policy.baseMs * 2 ** (attempts - 1) };
}

/** The whole time a delivery that always fails spends waiting between its attempts (ms). */
export function totalBackoffMs(policy: RetryPolicy): number {
  let total = 0;
  for (let n = 1; n < policy.maxAttempts; n++) total += policy.baseMs * 2 ** (n - 1);
  return total;
}
