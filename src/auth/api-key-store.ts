import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function apiKeyPath(dataDir: string): string {
  return join(dataDir, 'api-key');
}

export function generateApiKey(): string {
  return `c2d_${randomBytes(24).toString('base64url')}`;
}

export function readStoredApiKey(dataDir: string): string | undefined {
  const path = apiKeyPath(dataDir);
  if (!existsSync(path)) return undefined;
  const key = readFileSync(path, 'utf8').trim();
  return key.length > 0 ? key : undefined;
}

/** Writes a new key readable by the owner only (0600) and returns it. */
export function storeNewApiKey(dataDir: string): string {
  const path = apiKeyPath(dataDir);
  mkdirSync(dirname(path), { recursive: true });
  const key = generateApiKey();
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  chmodSync(path, 0o600); // writeFileSync's mode only applies when it creates the file
  return key;
}

/** The stored key, or a new one when none exists yet; `generated` tells the caller to print it once. */
export function ensureStoredApiKey(dataDir: string): { key: string; generated: boolean } {
  const stored = readStoredApiKey(dataDir);
  return stored ? { key: stored, generated: false } : { key: storeNewApiKey(dataDir), generated: true };
}
