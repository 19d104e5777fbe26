import { createHmac, timingSafeEqual } from 'node:crypto';

/** Documented default of CHAT2DESK_WEBHOOK_SIGNATURE_HEADER (Chat2Desk's own name is not documented). */
export const DEFAULT_SIGNATURE_HEADER = 'X-Signature';

/** HMAC-SHA256 of the raw body, hex: what a sender puts in the signature header. */
export function signWebhookBody(rawBody: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Whether `signature` is the HMAC-SHA256 of the raw body. Accepts hex or base64, with or without a
 * `sha256=` prefix; compares in constant time so a guess learns nothing from timing.
 */
export function isValidWebhookSignature(
  rawBody: Buffer,
  signature: string | undefined,
  secret: string,
): boolean {
  if (!signature) return false;
  const presented = signature.trim().replace(/^sha256=/i, '');
  const digest = createHmac('sha256', secret).update(rawBody).digest();
  const decoded = /^[0-9a-f]{64}$/i.test(presented)
    ? Buffer.from(presented, 'hex')
    : Buffer.from(presented, 'base64');
  return decoded.length === digest.length && timingSafeEqual(decoded, digest);
}
