import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares secrets without leaking, through timing, how much of a guess was right. Hashing first
 * gives both sides the same length, so the length of the real key does not leak either.
 */
export function constantTimeEquals(candidate: string, secret: string): boolean {
  return timingSafeEqual(sha256(candidate), sha256(secret));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
