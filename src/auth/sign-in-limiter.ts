import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock';
import { Database } from '../database/database';

/** Failed sign-ins allowed per address and per account within the window, before 429. */
export const MAX_FAILED_SIGN_INS = 5;
/** Wrong Bearer keys allowed per address within the window, before 429. */
export const MAX_FAILED_BEARER_KEYS = 30;
export const FAILED_SIGN_IN_WINDOW_MS = 60_000;

/** What a failure counts against: the client's address, the account tried, or Bearer guesses. */
export type FailureKey = `address:${string}` | `account:${string}` | `bearer:${string}`;

/**
 * Failed sign-ins (and wrong API keys) over a sliding window, in `sign_in_failures`: every instance
 * behind a balancer counts the same failures, so guessing is slowed down whichever node answers.
 * Times come from the injected clock.
 */
@Injectable()
export class SignInLimiter {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until `key` may try again (0 = now), given at most `max` failures per window. */
  async retryAfterMs(key: FailureKey, max = MAX_FAILED_SIGN_INS): Promise<number> {
    const now = this.clock.nowMs();
    const [oldestCounted] = await this.database.sql<{ at: Date }>(
      `SELECT at FROM sign_in_failures WHERE key = $1 AND at > $2 ORDER BY at DESC OFFSET $3 LIMIT 1`,
      [key, new Date(now - FAILED_SIGN_IN_WINDOW_MS), max - 1],
    );
    return oldestCounted ? Math.max(0, oldestCounted.at.getTime() + FAILED_SIGN_IN_WINDOW_MS - now) : 0;
  }

  /** Records a failure against each key, and forgets failures older than the window. */
  async recordFailure(...keys: FailureKey[]): Promise<void> {
    const now = this.clock.now();
    await this.database.sql(
      `WITH pruned AS (DELETE FROM sign_in_failures WHERE at <= $2 RETURNING 1)
       INSERT INTO sign_in_failures (key, at) SELECT unnest($1::text[]), $3`,
      [keys, new Date(now.getTime() - FAILED_SIGN_IN_WINDOW_MS), now],
    );
  }

  async reset(...keys: FailureKey[]): Promise<void> {
    await this.database.sql(`DELETE FROM sign_in_failures WHERE key = ANY($1::text[])`, [keys]);
  }
}
