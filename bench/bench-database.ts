import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';

export interface BenchDatabase {
  url: string;
  kind: string;
  stop(): Promise<void>;
}

/**
 * A fresh database on DATABASE_URL's server, or on an embedded PostgreSQL under `tmpDir` configured
 * like `npm start`'s (durable: fsync on), removed afterwards. `bench` names the benchmark.
 */
export async function provisionBenchDatabase(tmpDir: string, bench: string): Promise<BenchDatabase> {
  if (process.env.DATABASE_URL) {
    const admin = process.env.DATABASE_URL;
    const name = `c2d_bench_${bench}_${Date.now()}`;
    const run = async (sql: string) => {
      const client = new Client({ connectionString: admin });
      await client.connect();
      await client.query(sql).finally(() => client.end());
    };
    await run(`CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      kind: 'PostgreSQL at DATABASE_URL',
      stop: () => run(`DROP DATABASE ${name} WITH (FORCE)`),
    };
  }
  const dataDir = join(tmpDir, `postgres-${bench}`);
  rmSync(dataDir, { recursive: true, force: true });
  const postgres = await startEmbeddedPostgres({ dataDir, persistent: true });
  await postgres.ensureDatabase('bench');
  return {
    url: postgres.urlFor('bench'),
    kind: 'embedded PostgreSQL (durable settings)',
    stop: async () => {
      await postgres.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
