import { createHmac } from 'node:crypto';
import { constantTimeEquals } from './constant-time';

export const SESSION_COOKIE = 'c2d_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Stateless dashboard sessions: `<expiresAtMs>.<hmac>`, signed with a secret derived from the API
 * key. Nothing to store, and rotating the key signs everyone out.
 */
export class SessionTokens {
  private readonly secret: Buffer;

  constructor(apiKey: string) {
    this.secret = createHmac('sha256', apiKey).update('chat2desk-campaigns dashboard session v1').digest();
  }

  issue(nowMs: number): { token: string; expiresAt: Date } {
    const expiresAtMs = nowMs + SESSION_TTL_MS;
    return { token: `${expiresAtMs}.${this.sign(String(expiresAtMs))}`, expiresAt: new Date(expiresAtMs) };
  }

  isValid(token: string, nowMs: number): boolean {
    const [expiresAt, signature, ...rest] = token.split('.');
    if (rest.length > 0 || !expiresAt || !signature || !/^\d+$/.test(expiresAt)) return false;
    return constantTimeEquals(signature, this.sign(expiresAt)) && Number(expiresAt) > nowMs;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}

/** Reads one cookie from a Cookie header (no cookie-parser dependency for one value). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name)
      return decodeURIComponent(part.slice(separator + 1).trim());
  }
  return undefined;
}
