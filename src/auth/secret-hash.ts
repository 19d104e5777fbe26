import { createHash, randomBytes } from 'node:crypto';

/** How keys and session tokens are stored: their SHA-256, never the secret itself. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `c2d_${randomBytes(24).toString('base64url')}`;
}

export function generateSessionToken(): string {
  return randomBytes(32).toString('base64url');
}
