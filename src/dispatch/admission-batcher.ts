import type { Clock } from '../common/clock/clock';
import type { Admission, ClaimedRecipient, RecipientQueue } from '../recipients/recipient-queue';

interface Waiting {
  recipient: ClaimedRecipient;
  resolve: (admission: Admission | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Admits the sends whose turn comes in the same moment with one statement: at thousands of sends a
 * second, one commit per send would make the database the bottleneck; at a few a second each send is
 * simply admitted alone. Every row is still checked in the statement that moves it to `sending`.
 */
export class AdmissionBatcher {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(
    private readonly queue: RecipientQueue,
    private readonly clock: Clock,
    private readonly leaseMs: number,
  ) {}

  admit(recipient: ClaimedRecipient): Promise<Admission | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ recipient, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const group = this.waiting;
    this.waiting = [];
    this.scheduled = false;
    try {
      const admitted = await this.queue.admit(
        group.map((entry) => entry.recipient),
        this.clock.now(),
        this.leaseMs,
      );
      for (const entry of group) entry.resolve(admitted.get(entry.recipient.id));
    } catch (error) {
      for (const entry of group) entry.reject(error);
    }
  }
}
