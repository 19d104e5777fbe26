/** Longest wait between two attempts, whatever the attempt count. */
export const MAX_RETRY_DELAY_MS = 10 * 60_000;
/** Wait after a rate-limit refusal the gate could not absorb (not an attempt failure). */
export const RATE_LIMITED_RETRY_MS = 1_000;

/**
 * Exponential backoff with jitter: base × 2^(attempt−1), scaled by a random factor in [0.5, 1.5) so
 * retries of a failed batch spread out instead of hitting Chat2Desk together again.
 */
export function retryDelayMs(
  attempt: number,
  baseDelayMs: number,
  random: () => number = Math.random,
): number {
  const exponential = baseDelayMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(MAX_RETRY_DELAY_MS, Math.round(exponential * (0.5 + random())));
}
