import { Client } from 'pg';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmptyDatabase } from '../../test/support/test-database';
import { isAlive } from './embedded-postgres';
import { revertMigrations, runMigrations } from './migrations';

async function tableNames(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    return result.rows.map((row: { table_name: string }) => row.table_name);
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('build the schema from an empty database and revert to nothing', async () => {
    const database = await createEmptyDatabase();
    try {
      const applied = await runMigrations(database.url);
      expect(applied.length).toBeGreaterThan(0);
      expect((await tableNames(database.url)).length).toBeGreaterThan(1);
      expect(await runMigrations(database.url)).toEqual([]);

      const reverted = await revertMigrations(database.url, Infinity);
      expect(reverted).toBe(applied.length);
      expect(await tableNames(database.url)).toEqual(['typeorm_migrations']);
    } finally {
      await database.drop();
    }
  });
});

describe('embedded PostgreSQL', () => {
  // Jest's module sandbox cannot load the ESM-only package; a child process can, as the app does.
  it('starts on a free port other than 5432, keeps data across restarts and stops without leaking', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'c2d-embedded-'));
    try {
      const first = await runEmbeddedScript(
        dataDir,
        `await pg.ensureDatabase('kept'); await q("CREATE TABLE kept_t(x int)", 'kept');`,
      );
      expect(first.port).not.toBe(5432);
      expect(isAlive(first.pid)).toBe(false);
      const second = await runEmbeddedScript(dataDir, `await q("INSERT INTO kept_t VALUES (1)", 'kept');`);
      expect(isAlive(second.pid)).toBe(false);
      expect(second.pid).not.toBe(first.pid);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  // As root the server runs as `postgres`, which cannot enter a folder of mode 700 (a home folder).
  it('in a private folder: as root, stops before initdb with what to do; as anyone else, starts', async () => {
    const privateDir = mkdtempSync(join(tmpdir(), 'c2d-private-'));
    chmodSync(privateDir, 0o700);
    const dataDir = join(privateDir, 'postgres');
    mkdirSync(dataDir);
    try {
      const started = runEmbeddedScript(dataDir, '');
      if (process.getuid?.() === 0) {
        await expect(started).rejects.toThrow(
          `that user cannot enter ${privateDir} on the way to ${dataDir}. Either run as a regular user`,
        );
      } else {
        await expect(started).resolves.toMatchObject({ port: expect.any(Number) });
      }
    } finally {
      rmSync(privateDir, { recursive: true, force: true });
    }
  });
});

async function runEmbeddedScript(dataDir: string, body: string): Promise<{ pid: number; port: number }> {
  const { execFile } = await import('node:child_process');
  const script = `
    require('ts-node').register({ transpileOnly: true });
    const { Client } = require('pg');
    const { startEmbeddedPostgres } = require(${JSON.stringify(join(__dirname, 'embedded-postgres.ts'))});
    (async () => {
      const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });
      const q = async (sql, db) => { const c = new Client({ connectionString: pg.urlFor(db) }); await c.connect(); await c.query(sql); await c.end(); };
      const pid = pg.pid();
      const port = Number(new URL(pg.adminUrl).port);
      ${body}
      await pg.stop();
      console.log(JSON.stringify({ pid, port }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', script],
      { cwd: join(__dirname, '..', '..') },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()!));
      },
    );
  });
}
