import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

/**
 * One PostgreSQL server for the whole run: DATABASE_URL's when set, else an embedded one in a
 * throw-away directory. Each test file then creates its own database on it (test/utils/test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_POSTGRES_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'c2d-test-pg-'));
  const postgres = await startEmbeddedPostgres({ dataDir, persistent: false });
  process.env.TEST_POSTGRES_ADMIN_URL = postgres.adminUrl;
  (globalThis as { __TEST_POSTGRES__?: { stop(): Promise<void> } }).__TEST_POSTGRES__ = postgres;
}
