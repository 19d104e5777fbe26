import { ManualClock } from '../common/clock/clock';
import { FAILED_SIGN_IN_WINDOW_MS, MAX_FAILED_SIGN_INS, SignInLimiter } from './sign-in-limiter';

describe('SignInLimiter', () => {
  it(`blocks an IP after ${MAX_FAILED_SIGN_INS} failures in a minute, until the oldest one ages out`, () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    const limiter = new SignInLimiter(clock);
    for (let attempt = 0; attempt < MAX_FAILED_SIGN_INS; attempt += 1) {
      expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
      limiter.recordFailure('10.0.0.1');
      clock.advance(1000);
    }
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(FAILED_SIGN_IN_WINDOW_MS - MAX_FAILED_SIGN_INS * 1000);
    expect(limiter.retryAfterMs('10.0.0.2')).toBe(0);
    clock.advance(FAILED_SIGN_IN_WINDOW_MS - MAX_FAILED_SIGN_INS * 1000 + 1);
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
  });

  it('forgets failures after a successful sign-in', () => {
    const limiter = new SignInLimiter(new ManualClock());
    for (let attempt = 0; attempt < MAX_FAILED_SIGN_INS; attempt += 1) limiter.recordFailure('10.0.0.1');
    limiter.reset('10.0.0.1');
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
  });
});
