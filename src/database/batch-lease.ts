import type { Clock } from '../common/clock/clock';

/**
 * The lease on one claimed batch (recipients being sent, phones being resolved) or on named
 * background work (NamedLeases), renewed every third of its length while the work runs. A request is only started if it will end (by its timeout)
 * before the lease could lapse: a request still in flight when another process takes the work over
 * could be repeated by that process.
 */
export class BatchLease {
  private validUntilMs: number;
  private readonly timer: NodeJS.Timeout;

  /** `renew` extends the lease in the database by `leaseMs` from the database's now. */
  constructor(
    private readonly renew: () => Promise<unknown>,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {
    this.validUntilMs = clock.nowMs() + leaseMs;
    this.timer = setInterval(() => void this.renewNow(), leaseMs / 3);
    this.timer.unref();
  }

  allowsRequestOf(durationMs: number): boolean {
    return this.clock.nowMs() + durationMs < this.validUntilMs;
  }

  end(): void {
    clearInterval(this.timer);
  }

  private async renewNow(): Promise<void> {
    const until = this.clock.nowMs() + this.leaseMs;
    try {
      await this.renew();
      this.validUntilMs = until;
    } catch {
      // The database is unreachable: the old validity stands, and requests stop before it ends.
    }
  }
}
