import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

type Holder = { __TEST_POSTGRES__?: { stop(): Promise<void> } };

/**
 * One PostgreSQL server for the whole run, shared by the integration and e2e projects (each
 * project calls this; the second finds the server already there): DATABASE_URL's when set, else an
 * embedded one in a throw-away directory. Each test file then creates its own database on it
 * (test/support/test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_POSTGRES_ADMIN_URL) return;
  if (process.env.DATABASE_URL) {
    process.env.TEST_POSTGRES_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'c2d-test-pg-'));
  const postgres = await startEmbeddedPostgres({ dataDir, persistent: false });
  process.env.TEST_POSTGRES_ADMIN_URL = postgres.adminUrl;
  (globalThis as Holder).__TEST_POSTGRES__ = postgres;
}
