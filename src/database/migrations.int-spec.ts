import { Client } from 'pg';
import { createEmptyDatabase } from '../../test/support/test-database';
import { revertMigrations, runMigrations } from './migrations';

describe('migrations under the advisory lock', () => {
  let database: { url: string; drop(): Promise<void> };

  beforeEach(async () => {
    database = await createEmptyDatabase();
  });

  afterEach(async () => {
    await database.drop();
  });

  async function appliedNames(): Promise<string[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const result = await client.query<{ name: string }>('SELECT name FROM typeorm_migrations ORDER BY id');
      return result.rows.map((row) => row.name);
    } finally {
      await client.end();
    }
  }

  it('lets three instances starting together on an empty database all succeed, each migration applied once', async () => {
    const runs = await Promise.all([
      runMigrations(database.url),
      runMigrations(database.url),
      runMigrations(database.url),
    ]);

    const applied = await appliedNames();
    expect(applied.length).toBeGreaterThan(0);
    expect(new Set(applied).size).toBe(applied.length);
    // One run applied everything; the others, queued behind its lock, found nothing pending.
    expect(runs.map((names) => names.length).sort((a, b) => a - b)).toEqual([0, 0, applied.length]);
  });

  it('reverts under the same lock and applies again', async () => {
    const applied = await runMigrations(database.url);

    expect(await revertMigrations(database.url, 1)).toBe(1);
    expect(await appliedNames()).toEqual(applied.slice(0, -1));
    expect(await runMigrations(database.url)).toEqual(applied.slice(-1));
  });
});
