import type { Clock } from '../common/clock/clock';
import type { RecipientQueue } from './recipient-queue';

/**
 * The lease on one claimed batch, renewed every third of its length while the batch's requests go
 * out. A request is only started if it will end (by its timeout) before the lease could lapse: a
 * request still in flight when another process takes the row over could be resent by that process.
 */
export class BatchLease {
  private validUntilMs: number;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly queue: RecipientQueue,
    private readonly recipientIds: string[],
    private readonly owner: string,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {
    this.validUntilMs = clock.nowMs() + leaseMs;
    this.timer = setInterval(() => void this.renew(), leaseMs / 3);
    this.timer.unref();
  }

  allowsRequestOf(durationMs: number): boolean {
    return this.clock.nowMs() + durationMs < this.validUntilMs;
  }

  end(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    const until = this.clock.nowMs() + this.leaseMs;
    try {
      await this.queue.extendLeases(this.recipientIds, this.owner, new Date(until));
      this.validUntilMs = until;
    } catch {
      // The database is unreachable: the old validity stands, and requests stop before it ends.
    }
  }
}
