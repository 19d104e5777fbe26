import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock/clock';

export const MAX_FAILED_SIGN_INS = 5;
export const FAILED_SIGN_IN_WINDOW_MS = 60_000;
const MAX_TRACKED_IPS = 10_000;

/**
 * Failed sign-ins per client IP over a sliding minute. Kept in memory: it only has to slow down
 * guessing against one instance, and a restart forgetting it costs an attacker nothing they need.
 */
@Injectable()
export class SignInLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly clock: Clock) {}

  /** Milliseconds until this IP may try again, or 0 when it may try now. */
  retryAfterMs(ip: string): number {
    const recent = this.recentFailures(ip);
    if (recent.length < MAX_FAILED_SIGN_INS) return 0;
    return recent[recent.length - MAX_FAILED_SIGN_INS] + FAILED_SIGN_IN_WINDOW_MS - this.clock.nowMs();
  }

  recordFailure(ip: string): void {
    this.failures.set(ip, [...this.recentFailures(ip), this.clock.nowMs()]);
    if (this.failures.size > MAX_TRACKED_IPS) this.forgetIdleIps();
  }

  reset(ip: string): void {
    this.failures.delete(ip);
  }

  /** Bounds memory when guesses come from very many addresses. */
  private forgetIdleIps(): void {
    for (const ip of [...this.failures.keys()]) this.recentFailures(ip);
  }

  private recentFailures(ip: string): number[] {
    const since = this.clock.nowMs() - FAILED_SIGN_IN_WINDOW_MS;
    const recent = (this.failures.get(ip) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.failures.delete(ip);
    return recent;
  }
}
