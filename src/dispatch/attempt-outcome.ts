import {
  Chat2DeskAmbiguousError,
  Chat2DeskAuthFailedError,
  Chat2DeskError,
  Chat2DeskQuotaExhaustedError,
  Chat2DeskRateLimitedError,
  mayHaveBeenProcessed,
} from '../chat2desk/chat2desk.errors';

/**
 * What a failed send means for the recipient:
 * - `not_sent_retry`: nothing reached Chat2Desk or it failed for a passing reason → retry with backoff;
 * - `answer_lost`: timeout, reset or a 5xx after writing (a proxy's 5xx can come while Chat2Desk is
 *   still processing the request) → reconcile after a grace period (the row stays `sending`; the
 *   lease sweeper does it), never at once;
 * - `permanent`: Chat2Desk refused this message as it is → fail the recipient with the reason;
 * - `rate_limited` / `quota` / `credentials`: not the recipient's fault → give the row back uncounted
 *   (and pause or fail the campaign for the last two);
 * - `unknown`: an error we cannot place (a bug, the database) → leave `sending` for the lease sweeper.
 */
export type FailureKind =
  'not_sent_retry' | 'answer_lost' | 'permanent' | 'rate_limited' | 'quota' | 'credentials' | 'unknown';

export function classifySendFailure(error: unknown): FailureKind {
  if (error instanceof Chat2DeskRateLimitedError) return 'rate_limited';
  if (error instanceof Chat2DeskQuotaExhaustedError) return 'quota';
  if (error instanceof Chat2DeskAuthFailedError) return 'credentials';
  if (error instanceof Chat2DeskAmbiguousError || mayHaveBeenProcessed(error)) return 'answer_lost';
  if (error instanceof Chat2DeskError) return error.retryable ? 'not_sent_retry' : 'permanent';
  return 'unknown';
}
