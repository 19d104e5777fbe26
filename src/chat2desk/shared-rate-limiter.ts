import { Sql } from '../database/sql';

/**
 * Slots are spaced for a little less than the limit: timers and the network add jitter, and a request
 * that lands late next to an on-time one must still keep every second under the account's limit.
 */
const RATE_SAFETY_FACTOR = 0.975;
/**
 * A slot used later than this is given up for a new one. Up to this lateness the safety factor keeps
 * every one-second window under the limit with half of its slack (~13 ms) left for what follows the
 * check — a busy machine preempting the process before its request leaves; beyond it, timers that
 * woke late together on a starved CPU would send in a burst.
 */
const MAX_SLOT_LATENESS_MS = 1000 * (1 / RATE_SAFETY_FACTOR - 1) * 0.5;
/** How long before its slot a caller's last check (one database round trip) starts. */
const CHECK_LEAD_MS = 25;
/** At most this much of a second is reserved per database round trip. */
const BLOCK_SHARE_OF_SECOND = 0.05;

/**
 * The account-wide rate limit, shared by every app instance through one Postgres row holding the next
 * free slot. A caller reserves a slot atomically and sleeps until it; busy processes reserve small
 * blocks so there is far less than one database round trip per request.
 */
export class SharedRateLimiter {
  private readonly intervalMs: number;
  private readonly maxBlock: number;
  private localNextMs = 0;
  private localRemaining = 0;
  private waiting = 0;
  private refill?: Promise<void>;

  constructor(
    private readonly sql: Sql,
    limitPerSecond: number,
  ) {
    this.intervalMs = 1000 / (limitPerSecond * RATE_SAFETY_FACTOR);
    this.maxBlock = Math.max(1, Math.round(limitPerSecond * BLOCK_SHARE_OF_SECOND));
  }

  /**
   * Resolves when this caller may send one request. `onSlot` runs once, just before the first slot
   * comes (a last check before the request, which may throw), so the check does not delay the slot;
   * if it ran past the slot's lateness bound anyway, the caller waits for another slot, so the check
   * never pushes a request out of its second.
   */
  async acquire(onSlot?: () => Promise<void>): Promise<void> {
    let checked = onSlot === undefined;
    this.waiting += 1;
    try {
      for (;;) {
        const slot = this.takeLocalSlot();
        if (slot !== undefined) {
          if (!checked) {
            await sleepUntil(slot - CHECK_LEAD_MS);
            await onSlot!();
            checked = true;
          }
          await sleepUntil(slot);
          if (Date.now() - slot > MAX_SLOT_LATENESS_MS) continue;
          return;
        }
        this.refill ??= this.reserveBlock().finally(() => (this.refill = undefined));
        await this.refill;
      }
    } finally {
      this.waiting -= 1;
    }
  }

  /** After a 429: nobody, in any instance, sends before `backoffMs` from now. */
  async pushBack(backoffMs: number): Promise<void> {
    this.localRemaining = 0;
    await this.sql(
      `WITH pushed AS (
         UPDATE chat2desk_rate_limit SET next_slot_at = greatest(next_slot_at, now() + make_interval(secs => $1))
         WHERE id = 'account' RETURNING next_slot_at)
       SELECT next_slot_at FROM pushed`,
      [backoffMs / 1000],
    );
  }

  private takeLocalSlot(): number | undefined {
    const now = Date.now();
    while (this.localRemaining > 0) {
      const slot = this.localNextMs;
      this.localNextMs += this.intervalMs;
      this.localRemaining -= 1;
      if (slot >= now - MAX_SLOT_LATENESS_MS) return slot;
    }
    return undefined;
  }

  /**
   * Reserves a block in one atomic UPDATE: a few slots per waiting caller (callers come back for more
   * soon), bounded to a twentieth of a second so unused slots cost other instances little.
   */
  private async reserveBlock(): Promise<void> {
    const count = Math.min(this.maxBlock, Math.max(1, this.waiting * 4));
    const askedAtMs = Date.now();
    const [row] = await this.sql<{ ends_in_ms: number }>(
      `WITH reserved AS (
         UPDATE chat2desk_rate_limit
         SET next_slot_at = greatest(next_slot_at, now()) + make_interval(secs => $1)
         WHERE id = 'account' RETURNING next_slot_at)
       SELECT (extract(epoch FROM next_slot_at - now()) * 1000)::float8 AS ends_in_ms FROM reserved`,
      [(count * this.intervalMs) / 1000],
    );
    if (!row) throw new Error('chat2desk_rate_limit has no account row: run the migrations');
    // Database time decides the slots; converting via "ms from now" keeps process clocks out of it.
    // "Now" is when we asked: an answer read late (a starved event loop) must not move the slots later,
    // next to slots reserved before it.
    this.localNextMs = askedAtMs + Number(row.ends_in_ms) - count * this.intervalMs;
    this.localRemaining = count;
  }
}

function sleepUntil(atMs: number): Promise<void> {
  const waitMs = atMs - Date.now();
  return waitMs > 0 ? new Promise((resolve) => setTimeout(resolve, waitMs)) : Promise.resolve();
}
